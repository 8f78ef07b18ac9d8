import { TasamError } from '@tasam/errors';

/** `embed` was called after `dispose()` released the model. */
export class TextEncoderDisposedError extends TasamError<'TEXT_ENCODER_DISPOSED'> {
  constructor(readonly encoderId: string) {
    super('TEXT_ENCODER_DISPOSED', `text encoder ${encoderId}: already disposed; create a new one`);
  }
}
