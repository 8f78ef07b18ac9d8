import { TasamError } from '@tasam/errors';

export class DemoRequestError extends TasamError<'DEMO_REQUEST'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('DEMO_REQUEST', `${input}: ${problem}`, options);
  }
}
