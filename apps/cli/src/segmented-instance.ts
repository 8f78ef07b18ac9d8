import type { Bbox, CompressedRle } from '@tasam/coco-data';

/** One mask of the result, best first. `rle` is COCO's compressed form. */
export interface SegmentedInstance {
  rle: CompressedRle;
  score: number;
  bbox: Bbox;
  area: number;
  stabilityScore: number;
  /** The grid point that produced it (--everything only). */
  point?: [number, number];
}
