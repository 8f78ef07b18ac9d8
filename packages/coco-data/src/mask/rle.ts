import { InvalidRleError } from '../errors';

/** COCO JSON form of an RLE: counts in the string codec (pycocotools `_toString`). */
export interface CompressedRle {
  size: [number, number];
  counts: string;
}

/** COCO JSON form with plain run lengths (used by crowd annotations). */
export interface UncompressedRle {
  size: [number, number];
  counts: number[];
}

/** A box as COCO writes it: x, y, width, height. */
export type Bbox = [number, number, number, number];

/**
 * A binary mask as run lengths over its pixels in column-major order (x * h + y), the first run counting
 * background pixels (possibly 0). This is pycocotools' internal `RLE` (maskApi.c), counts as uint32.
 */
export class Rle {
  readonly h: number;
  readonly w: number;
  readonly counts: Uint32Array;

  constructor(h: number, w: number, counts: Uint32Array) {
    if (!isSize(h) || !isSize(w)) {
      throw new InvalidRleError(`of size [${h}, ${w}]`, 'height and width must be non-negative integers');
    }
    if (!(counts instanceof Uint32Array)) {
      throw new InvalidRleError(`of size [${h}, ${w}]`, 'counts must be a Uint32Array');
    }
    this.h = h;
    this.w = w;
    this.counts = counts;
  }

  /** Number of pixels, h * w. */
  get pixels(): number {
    return this.h * this.w;
  }

  /** An all-background mask. */
  static empty(h: number, w: number): Rle {
    return new Rle(h, w, Uint32Array.of(h * w));
  }
}

/** Largest value a uint32 count may take. */
export const MAX_COUNT = 0xffffffff;

function isSize(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_COUNT;
}
