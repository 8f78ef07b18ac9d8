import type { CocoBboxResult, Detection } from './types';

/**
 * Detections of one image as COCO bbox results ({image_id, category_id, bbox: [x, y, w, h], score}), the
 * format of a results file for `pnpm tasam coco-eval --iou-type bbox` (and pycocotools' loadRes).
 */
export function detectionsToCocoResults(imageId: number, detections: readonly Detection[]): CocoBboxResult[] {
  return detections.map(({ box: [x1, y1, x2, y2], categoryId, score }) => ({
    image_id: imageId,
    category_id: categoryId,
    bbox: [x1, y1, x2 - x1, y2 - y1],
    score,
  }));
}
