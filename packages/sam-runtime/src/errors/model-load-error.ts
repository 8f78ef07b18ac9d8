import { TasamError } from '@tasam/errors';

/** onnxruntime refused a model file or buffer (corrupt, truncated, unsupported). */
export class ModelLoadError extends TasamError<'MODEL_LOAD_FAILED'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('MODEL_LOAD_FAILED', `${input}: ${problem}`, options);
  }
}
