import { TasamError } from '@tasam/errors';

export class CocoEvalInputError extends TasamError<'COCO_EVAL_INPUT'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('COCO_EVAL_INPUT', `${input}: ${problem}`, options);
  }
}
