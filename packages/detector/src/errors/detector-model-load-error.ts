import { TasamError } from '@tasam/errors';

/** The model files were read but do not form the expected graph (bad JSON, wrong inputs or outputs). */
export class DetectorModelLoadError extends TasamError<'DETECTOR_MODEL_LOAD'> {
  constructor(
    readonly model: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('DETECTOR_MODEL_LOAD', `detector model ${model}: ${problem}`, options);
  }
}
