import { COCO_CATEGORIES } from '@tasam/coco-data';
import { CENTERNET_ROW_LENGTH, DETECTOR_INPUT_SIZE } from './model/centernet-constants';
import type { Box, Detection } from './types';

/**
 * Maps a box from the model's stretched square input (`inputSize` pixels a side) back to the original
 * image and clips it to [0, width] x [0, height]. Corners are ordered (x1 <= x2, y1 <= y2). Returns undefined
 * when nothing of the box is left inside the image (or a coordinate is not finite).
 */
export function scaleAndClipBox(
  box: readonly [number, number, number, number],
  width: number,
  height: number,
  inputSize = DETECTOR_INPUT_SIZE,
): Box | undefined {
  const sx = width / inputSize;
  const sy = height / inputSize;
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const x1 = clip(Math.min(box[0], box[2]) * sx, width);
  const x2 = clip(Math.max(box[0], box[2]) * sx, width);
  const y1 = clip(Math.min(box[1], box[3]) * sy, height);
  const y2 = clip(Math.max(box[1], box[3]) * sy, height);
  if (!(x2 > x1 && y2 > y1)) return undefined; // also false for NaN
  return [x1, y1, x2, y2];
}

export interface DecodeOptions {
  /** Keep rows scoring at least this. */
  scoreThreshold: number;
  /** Keep only these COCO category ids; undefined keeps all. */
  categoryIds?: ReadonlySet<number>;
  /** Side of the square model input the raw boxes are measured in. Default DETECTOR_INPUT_SIZE (512). */
  inputSize?: number;
}

/**
 * Decodes the CenterNet `tower_0/detections` output, rows of [x1, y1, x2, y2, score, class] with boxes in
 * input pixels and class 0-79 indexing COCO_CATEGORIES, into detections in the original image's pixels,
 * clipped to it. Rows under the score threshold, of an unknown class, of a category not asked for, or with
 * no area inside the image are dropped. Order is the model's (it sorts by score). No NMS here.
 */
export function decodeDetections(
  raw: ArrayLike<number>,
  width: number,
  height: number,
  options: DecodeOptions,
): Detection[] {
  const rows = Math.floor(raw.length / CENTERNET_ROW_LENGTH);
  const detections: Detection[] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * CENTERNET_ROW_LENGTH;
    const score = raw[o + 4];
    if (!(score >= options.scoreThreshold)) continue;
    const classIndex = Math.round(raw[o + 5]);
    const category = COCO_CATEGORIES[classIndex];
    if (category === undefined) continue;
    if (options.categoryIds && !options.categoryIds.has(category.id)) continue;
    const box = scaleAndClipBox(
      [raw[o], raw[o + 1], raw[o + 2], raw[o + 3]],
      width,
      height,
      options.inputSize,
    );
    if (box === undefined) continue;
    detections.push({ box, categoryId: category.id, category: category.name, score });
  }
  return detections;
}
