import { TasamError } from '@tasam/errors';

/**
 * An RLE cannot be built or used: a size that is not two non-negative integers, negative or fractional counts,
 * a counts string outside the codec's alphabet, or runs longer than the image (pycocotools' "Invalid RLE mask
 * representation"). `input` describes the offending value.
 */
export class InvalidRleError extends TasamError<'RLE_INVALID'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('RLE_INVALID', `RLE ${input}: ${problem}`, options);
  }
}
