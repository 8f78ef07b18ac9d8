import { COCO_CATEGORIES } from '@tasam/coco-data';
import { scaleAndClipBox } from './decode';
import { NANODET_BINS, NANODET_BOX_COLUMNS, NANODET_INPUT_SIZE } from './model/nanodet-constants';
import type { Detection } from './types';

const CLASSES = COCO_CATEGORIES.length;

/** One stride level of NanoDet's raw output: per grid cell, 80 class scores and 4 x 11 distance logits. */
export interface NanoDetLevel {
  stride: number;
  /** cells x 80 class probabilities (already sigmoid), row-major, cells in raster order. */
  scores: ArrayLike<number>;
  /** cells x 44 logits: for left, top, right, bottom, 11 bins each. */
  boxes: ArrayLike<number>;
}

export interface NanoDetDecodeOptions {
  /** Keep (cell, class) pairs scoring at least this. */
  scoreThreshold: number;
  /** Keep only these COCO category ids; undefined keeps all. */
  categoryIds?: ReadonlySet<number>;
  /** Side of the square model input. Default NANODET_INPUT_SIZE (416). */
  inputSize?: number;
}

/**
 * The expected distance of one box side in grid units: the softmax of its NANODET_BINS logits weighted by the
 * bin index (Generalized Focal Loss' "general distribution" decode).
 */
export function expectedDistance(logits: ArrayLike<number>, offset: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < NANODET_BINS; b++) max = Math.max(max, logits[offset + b]);
  let total = 0;
  let weighted = 0;
  for (let b = 0; b < NANODET_BINS; b++) {
    const e = Math.exp(logits[offset + b] - max);
    total += e;
    weighted += e * b;
  }
  return weighted / total;
}

/**
 * Decodes NanoDet's per-level outputs into detections in the original image's pixels, clipped to it: every
 * (cell, class) pair scoring at least the threshold becomes a box (several classes may share a cell, as in the
 * reference decode) centred on the cell's centre ((column + 0.5) x stride, (row + 0.5) x stride) with side
 * distances `expectedDistance` x stride. Not sorted, no NMS.
 */
export function decodeNanoDet(
  levels: readonly NanoDetLevel[],
  width: number,
  height: number,
  options: NanoDetDecodeOptions,
): Detection[] {
  const inputSize = options.inputSize ?? NANODET_INPUT_SIZE;
  const detections: Detection[] = [];
  for (const { stride, scores, boxes } of levels) {
    const grid = Math.ceil(inputSize / stride);
    const cells = Math.min(
      Math.floor(scores.length / CLASSES),
      Math.floor(boxes.length / NANODET_BOX_COLUMNS),
    );
    for (let cell = 0; cell < cells; cell++) {
      let distances: number[] | undefined;
      for (let c = 0; c < CLASSES; c++) {
        const score = scores[cell * CLASSES + c];
        if (!(score >= options.scoreThreshold)) continue;
        const category = COCO_CATEGORIES[c];
        if (options.categoryIds && !options.categoryIds.has(category.id)) continue;
        distances ??= [0, 1, 2, 3].map(
          (side) => expectedDistance(boxes, cell * NANODET_BOX_COLUMNS + side * NANODET_BINS) * stride,
        );
        const cx = ((cell % grid) + 0.5) * stride;
        const cy = (Math.floor(cell / grid) + 0.5) * stride;
        const box = scaleAndClipBox(
          [cx - distances[0], cy - distances[1], cx + distances[2], cy + distances[3]],
          width,
          height,
          inputSize,
        );
        if (box) detections.push({ box, categoryId: category.id, category: category.name, score });
      }
    }
  }
  return detections;
}
