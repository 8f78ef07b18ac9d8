import { TasamError } from '@tasam/errors';

/**
 * A COCO instances file (or parsed JSON) is malformed: truncated JSON, a missing or mistyped field, an unknown
 * id, an odd polygon. `input` names the file, `annotationId` the offending annotation when there is one.
 */
export class CocoFormatError extends TasamError<'COCO_FORMAT'> {
  readonly annotationId: number | undefined;

  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown; annotationId?: number } = {},
  ) {
    const where = options.annotationId === undefined ? '' : `annotation ${options.annotationId}: `;
    super('COCO_FORMAT', `${input}: ${where}${problem}`, options);
    this.annotationId = options.annotationId;
  }
}
