import { TasamError } from '@tasam/errors';

/** A ground-truth or results input that cannot be used as given (wrong shape, wrong values). */
export class CocoEvalInputError extends TasamError<'COCO_EVAL_INPUT'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('COCO_EVAL_INPUT', `${input}: ${problem}`, options);
  }
}
