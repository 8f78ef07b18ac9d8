import { TasamError } from '@tasam/errors';

/** Results name images the ground truth does not have (pycocotools: "Results do not correspond to current coco set"). */
export class UnknownImageError extends TasamError<'COCO_EVAL_UNKNOWN_IMAGE'> {
  constructor(
    readonly input: string,
    readonly imageIds: readonly number[],
    readonly resultIndex: number,
  ) {
    const shown =
      imageIds.slice(0, 5).join(', ') + (imageIds.length > 5 ? `, … (${imageIds.length} in all)` : '');
    super(
      'COCO_EVAL_UNKNOWN_IMAGE',
      `${input}: results for images absent from the ground truth: ${shown} (first at result ${resultIndex})`,
    );
  }
}
