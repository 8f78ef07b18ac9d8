import { TasamError } from '@tasam/errors';

/** A file that cannot be read or is not JSON. */
export class ResultsFileError extends TasamError<'COCO_EVAL_FILE'> {
  constructor(
    readonly file: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('COCO_EVAL_FILE', `${file}: ${problem}`, options);
  }
}
