import { TasamError } from '@tasam/errors';

/** Model files exist (or a download was allowed) but the model could not be loaded or run. */
export class TextModelLoadError extends TasamError<'TEXT_MODEL_LOAD'> {
  constructor(
    readonly model: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('TEXT_MODEL_LOAD', `${model}: ${problem}`, options);
  }
}
