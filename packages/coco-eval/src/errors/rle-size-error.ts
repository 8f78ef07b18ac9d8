import { TasamError } from '@tasam/errors';

/** A result mask whose RLE `size` is not the [height, width] of its image. */
export class RleSizeError extends TasamError<'COCO_EVAL_RLE_SIZE'> {
  constructor(
    readonly input: string,
    readonly resultIndex: number,
    readonly imageId: number,
    readonly size: readonly [number, number],
    readonly expected: readonly [number, number],
  ) {
    super(
      'COCO_EVAL_RLE_SIZE',
      `${input}: result ${resultIndex} (image ${imageId}) has an RLE of size [${size.join(', ')}] but the image is [${expected.join(', ')}] (height, width)`,
    );
  }
}
