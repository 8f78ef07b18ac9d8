import { TasamError } from '@tasam/errors';

/** A step called before the one it needs (accumulate before evaluate, summarize before accumulate). */
export class EvalOrderError extends TasamError<'COCO_EVAL_ORDER'> {
  constructor(
    readonly step: string,
    readonly needs: string,
  ) {
    super('COCO_EVAL_ORDER', `${step}() needs ${needs}() to have run first`);
  }
}
