import { TasamError } from '@tasam/errors';

/** A COCO file or directory could not be read at all (missing, unreadable, not a file). */
export class CocoReadError extends TasamError<'COCO_READ'> {
  constructor(
    readonly path: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('COCO_READ', `${path}: ${problem}`, options);
  }
}
