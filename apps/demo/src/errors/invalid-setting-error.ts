import { TasamError } from '@tasam/errors';

/** A start-up setting (environment variable or option) has a value the server cannot use. */
export class InvalidSettingError extends TasamError<'DEMO_SETTING'> {
  constructor(
    readonly setting: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super('DEMO_SETTING', `${setting}=${JSON.stringify(value)}: expected ${expected}`);
  }
}
