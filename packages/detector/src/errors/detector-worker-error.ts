import { TasamError } from '@tasam/errors';

/** A model's worker thread failed: it could not start, it exited, or a pass failed inside it. */
export class DetectorWorkerError extends TasamError<'DETECTOR_WORKER'> {
  constructor(
    readonly model: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('DETECTOR_WORKER', `detector model ${model} (worker thread): ${problem}`, options);
  }
}
