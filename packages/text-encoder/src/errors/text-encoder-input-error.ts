import { TasamError } from '@tasam/errors';

/** A text handed to `embed` is not usable: not a string, empty, or only whitespace. */
export class TextEncoderInputError extends TasamError<'TEXT_ENCODER_INPUT'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('TEXT_ENCODER_INPUT', `${input}: ${problem}`, options);
  }
}
