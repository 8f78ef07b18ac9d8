/**
 * The evaluated (image, category) pairs, the compact form of pycocotools' `evalImgs`: everything accumulate
 * needs, in flat typed arrays instead of one dict of matrices per pair and area range.
 *
 * Pairs are ordered category-major, then by image index, so one category's pairs are contiguous and in the
 * image order pycocotools concatenates them in.
 */
export interface PairTable {
  count: number;
  /** Index into params.catIds (always 0 when useCats is false). */
  catIndex: Int32Array;
  /** Index into params.imgIds. */
  imgIndex: Int32Array;
  /** Detections kept for the pair (after the maxDets[-1] cut). */
  dtCount: Int32Array;
  gtCount: Int32Array;
  /** Offset of the pair's first detection in `dtScores` (and, times A*T, in `flags`). */
  dtOffset: Int32Array;
  /** Detection scores per pair, sorted descending (stable). */
  dtScores: Float64Array;
  /**
   * Per detection, area range and threshold: bit 0 set when dtMatches != 0 (matched a GT whose id is not 0),
   * bit 1 set when dtIgnore. Layout: (dtOffset[p] + d) * A * T + a * T + t.
   */
  flags: Uint8Array;
  /** Number of non-ignored GT per pair and area range: [pair * A + a]. */
  gtKept: Int32Array;
}

export const MATCHED = 1;
export const IGNORED = 2;
