import { COCO_CATEGORIES } from '@tasam/coco-data';
import { YOLOV8_ANCHORS, YOLOV8_OUTPUT_ROWS } from './model/yolov8-constants';
import type { Detection } from './types';

export interface YoloV8DecodeOptions {
  scoreThreshold: number;
  /** undefined: all categories. */
  categoryIds?: ReadonlySet<number>;
  /** Input pixels per image pixel (the letterbox's scale): boxes are divided by it. */
  scale: number;
  /** Anchors of the output (default 8400, the 640-pixel export's). */
  anchors?: number;
}

/**
 * YOLOv8's output [1, 84, anchors] (rows: cx, cy, w, h in input pixels, then 80 sigmoid class scores; no
 * objectness) to detections in image pixels: every (anchor, class) at or above the threshold, the box divided
 * by the letterbox scale (the padding is right and below, so no offset) and clipped to the image; no NMS.
 */
export function decodeYoloV8(
  output: Float32Array,
  width: number,
  height: number,
  options: YoloV8DecodeOptions,
): Detection[] {
  const anchors = options.anchors ?? YOLOV8_ANCHORS;
  if (output.length !== YOLOV8_OUTPUT_ROWS * anchors)
    throw new RangeError(`expected ${YOLOV8_OUTPUT_ROWS} x ${anchors} values, got ${output.length}`);
  const classes = YOLOV8_OUTPUT_ROWS - 4;
  const detections: Detection[] = [];
  for (let a = 0; a < anchors; a++) {
    for (let c = 0; c < classes; c++) {
      const score = output[(4 + c) * anchors + a];
      if (!(score >= options.scoreThreshold)) continue;
      const category = COCO_CATEGORIES[c];
      if (options.categoryIds && !options.categoryIds.has(category.id)) continue;
      const [cx, cy, w, h] = [0, 1, 2, 3].map((row) => output[row * anchors + a] / options.scale);
      const x1 = Math.max(0, cx - w / 2);
      const y1 = Math.max(0, cy - h / 2);
      const x2 = Math.min(width, cx + w / 2);
      const y2 = Math.min(height, cy + h / 2);
      if (!(x2 > x1 && y2 > y1)) continue;
      detections.push({ box: [x1, y1, x2, y2], categoryId: category.id, category: category.name, score });
    }
  }
  return detections;
}
