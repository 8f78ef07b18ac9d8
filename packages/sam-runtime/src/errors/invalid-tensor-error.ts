import { TasamError } from '@tasam/errors';

/** A tensor or image handed to the runtime has the wrong shape or length. */
export class InvalidTensorError extends TasamError<'INVALID_TENSOR'> {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super('INVALID_TENSOR', `${input}: ${problem}`);
  }
}
