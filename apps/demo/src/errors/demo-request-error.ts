import { TasamError } from '@tasam/errors';

/** A request body or parameter that is malformed: wrong shape, out-of-range coordinates, unknown mode. */
export class DemoRequestError extends TasamError<'DEMO_REQUEST'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('DEMO_REQUEST', `${input}: ${problem}`, options);
  }
}
