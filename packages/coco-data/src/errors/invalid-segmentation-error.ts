import { TasamError } from '@tasam/errors';

/**
 * A segmentation, polygon, box or mask given to the mask API has a shape pycocotools would reject (a flat list
 * where a list of polygons is expected, a first polygon of 4 values, non-finite coordinates, a mask whose length
 * is not h*w).
 */
export class InvalidSegmentationError extends TasamError<'SEGMENTATION_INVALID'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('SEGMENTATION_INVALID', `${input}: ${problem}`, options);
  }
}
