import { TasamError } from '@tasam/errors';

/** A runtime option has a value outside what it accepts (e.g. an unknown encoder precision). */
export class InvalidOptionError extends TasamError<'INVALID_OPTION'> {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super('INVALID_OPTION', `${option}: ${problem}`);
  }
}
