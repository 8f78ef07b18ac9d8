import { TasamError } from '@tasam/errors';

/** A ground-truth or results file that cannot be read or is not JSON. */
export class JsonFileError extends TasamError<'COCO_EVAL_FILE'> {
  constructor(
    readonly file: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('COCO_EVAL_FILE', `${file}: ${problem}`, options);
  }
}
