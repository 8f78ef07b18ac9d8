import { TasamError } from '@tasam/errors';

/** Evaluation parameters that cannot be used (empty thresholds, unsorted ranges, unknown iouType...). */
export class EvalParamsError extends TasamError<'COCO_EVAL_PARAMS'> {
  constructor(
    readonly param: string,
    readonly problem: string,
  ) {
    super('COCO_EVAL_PARAMS', `params.${param}: ${problem}`);
  }
}
