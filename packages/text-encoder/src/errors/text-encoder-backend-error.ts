import { TasamError } from '@tasam/errors';

/** The requested backend name is not one this package provides. */
export class TextEncoderBackendError extends TasamError<'TEXT_ENCODER_BACKEND'> {
  constructor(readonly backend: unknown) {
    super(
      'TEXT_ENCODER_BACKEND',
      `text encoder backend ${JSON.stringify(backend)}: unknown; use "use-lite" (offline default) or "minilm"`,
    );
  }
}
