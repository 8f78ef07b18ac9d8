import { TasamError } from '@tasam/errors';

/** An option of grounded task segmentation is out of range. */
export class TaskSegmentationOptionsError extends TasamError<'TASK_SEGMENTATION_OPTIONS'> {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super('TASK_SEGMENTATION_OPTIONS', `${option}: ${problem}`);
  }
}
