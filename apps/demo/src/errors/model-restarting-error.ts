import { TasamError } from '@tasam/errors';

/**
 * The model worker crashed and a new one is loading the models: the call is refused at once (it never reached
 * a model) with 503 and a `Retry-After` of the time a start took, left.
 */
export class ModelRestartingError extends TasamError<'DEMO_MODEL_RESTARTING'> {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'DEMO_MODEL_RESTARTING',
      `the model is restarting after a crash and cannot take requests yet; retry in ${retryAfterSeconds} s`,
    );
  }
}
