import { TasamError } from '@tasam/errors';

/** The evaluation's input is unusable: an unknown category, an empty selection, a bad or missing shard file. */
export class EvalInputError extends TasamError<'EVAL_INPUT_INVALID'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('EVAL_INPUT_INVALID', `${input}: ${problem}`, options);
  }
}
