import { TasamError } from '@tasam/errors';

export class TextEncoderInputError extends TasamError<'TEXT_ENCODER_INPUT'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('TEXT_ENCODER_INPUT', `${input}: ${problem}`, options);
  }
}
