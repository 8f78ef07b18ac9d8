import { TasamError } from '@tasam/errors';

export class CocoFormatError extends TasamError<'COCO_FORMAT'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('COCO_FORMAT', `${input}: ${problem}`, options);
  }
}
