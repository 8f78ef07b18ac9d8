import { TasamError } from '@tasam/errors';

/** An image directory or COCO split that cannot be listed: missing, not a directory, no images, bad JSON. */
export class ImageInputError extends TasamError<'IMAGE_INPUT_INVALID'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('IMAGE_INPUT_INVALID', `${input}: ${problem}`, options);
  }
}
