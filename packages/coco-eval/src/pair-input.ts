import type { Segmentation } from '@tasam/coco-data';

/**
 * A mask as COCO JSON gives it, or polygons that arrived packed in a Float64Array (worker chunks): rasterised
 * the same way, without rebuilding JS arrays.
 */
export type MaskSource = Segmentation | { polygons: Float64Array[] };

/**
 * Everything needed to evaluate one (image, category) pair, self-contained so it can be posted to a worker:
 * GT in computeIoU order, detections sorted by score and cut to maxDets[-1].
 */
export interface PairInput {
  height: number;
  width: number;
  gtIds: Float64Array;
  gtAreas: Float64Array;
  gtCrowd: Uint8Array;
  /** [G * 4] boxes (bbox evaluation only). */
  gtBoxes: Float64Array;
  /** GT masks (segm evaluation only). */
  gtSegmentations: MaskSource[] | null;
  dtIds: Float64Array;
  /** loadRes areas; NaN where the area comes from the mask. */
  dtAreas: Float64Array;
  /** [D * 4] boxes; NaN where the box comes from the mask. */
  dtBoxes: Float64Array;
  /** Detection masks, needed for segm evaluation and for areas/boxes that come from masks. */
  dtSegmentations: MaskSource[] | null;
  /** Position of each detection in the results file, for error messages. */
  dtIndices: Int32Array;
}

/** Where evaluatePair writes: the pair's slice of the pair table's flags and of the per-GT best IoU. */
export interface PairOutput {
  flags: Uint8Array;
  flagsOffset: number;
  bestIou: Float64Array;
  bestIouOffset: number;
}

export interface EvalSettings {
  iouType: 'segm' | 'bbox';
  iouThrs: number[];
  areaRng: [number, number][];
  /** Names used in error messages. */
  gtSource: string;
  dtSource: string;
}
