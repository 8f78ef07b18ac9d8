import { TasamError } from '@tasam/errors';

/** A model file could not be read (missing, a directory, no permission). */
export class DetectorModelReadError extends TasamError<'DETECTOR_MODEL_READ'> {
  constructor(
    readonly path: string,
    options: { cause?: unknown } = {},
  ) {
    const why = options.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('DETECTOR_MODEL_READ', `detector model file ${path}: cannot read${why}`, options);
  }
}
