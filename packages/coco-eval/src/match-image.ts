/**
 * One (image, category) pair as COCOeval.evaluateImg sees it: detections already sorted by score and cut to
 * maxDets[-1], ground truth in file order, and their IoU matrix [D x G] (rows: detections, cols: GT in file
 * order, as COCOeval.computeIoU returns it).
 */
export interface PairData {
  dtIds: ArrayLike<number>;
  dtAreas: ArrayLike<number>;
  gtIds: ArrayLike<number>;
  gtAreas: ArrayLike<number>;
  /** iscrowd, which is also pycocotools' `ignore` flag for GT. */
  gtCrowd: ArrayLike<number>;
  ious: ArrayLike<number>;
}

/**
 * Buffers matchImage writes into, sized for at least T*D and T*G; reused across pairs so that the matching
 * loop allocates nothing per detection.
 */
export interface MatchBuffers {
  /** GT indices (file order) in evaluation order: non-ignored first, then ignored, each in file order. */
  gtOrder: Int32Array;
  /** gtIgnore in evaluation order. */
  gtIgnore: Uint8Array;
  /** [T x D] id of the matched GT, 0 when unmatched (pycocotools' dtMatches). */
  dtMatches: Float64Array;
  /** [T x G] id of the matched detection in evaluation order, 0 when unmatched (gtMatches). */
  gtMatches: Float64Array;
  /** [T x D] 1 when the detection is ignored (dtIgnore). */
  dtIgnore: Uint8Array;
}

export function createMatchBuffers(t: number, d: number, g: number): MatchBuffers {
  return {
    gtOrder: new Int32Array(g),
    gtIgnore: new Uint8Array(g),
    dtMatches: new Float64Array(t * d),
    gtMatches: new Float64Array(t * g),
    dtIgnore: new Uint8Array(t * d),
  };
}

/** Grows buffers (never shrinks) so they hold a pair of this size. */
export function ensureMatchBuffers(buffers: MatchBuffers, t: number, d: number, g: number): MatchBuffers {
  if (buffers.gtOrder.length >= g && buffers.dtMatches.length >= t * d && buffers.gtMatches.length >= t * g)
    return buffers;
  const grow = (n: number, have: number) => Math.max(n, have * 2);
  return createMatchBuffers(
    t,
    grow(d, buffers.dtMatches.length / Math.max(t, 1)),
    grow(g, buffers.gtOrder.length),
  );
}

let rowBestScratch = new Float64Array(128);

/**
 * Each detection's best IoU with any GT, [D] (NaN if its row has a NaN, which matches anything): a detection
 * whose best is below a threshold matches nothing there, and matchImage skips its row. The same for every
 * area range of a pair, so evaluatePair computes it once.
 */
export function bestIouPerDetection(ious: ArrayLike<number>, D: number, G: number): Float64Array {
  if (rowBestScratch.length < D) rowBestScratch = new Float64Array(Math.max(D, rowBestScratch.length * 2));
  const rowBest = rowBestScratch;
  for (let d = 0; d < D; d++) {
    let most = Number.NEGATIVE_INFINITY;
    for (let g = d * G; g < d * G + G; g++) {
      const iou = ious[g];
      if (iou > most) most = iou;
      else if (Number.isNaN(iou)) {
        most = Number.NaN;
        break;
      }
    }
    rowBest[d] = most;
  }
  return rowBest;
}

/**
 * COCOeval.evaluateImg for one area range: greedy matching per IoU threshold, best IoU wins and the last GT
 * wins a tie, a crowd GT takes any number of detections, a detection that found a regular GT stops at the
 * first ignored one; then unmatched detections outside the area range are ignored. `rowBest`:
 * bestIouPerDetection of the pair's IoUs, when the caller has it.
 */
export function matchImage(
  pair: PairData,
  areaMin: number,
  areaMax: number,
  iouThrs: ArrayLike<number>,
  out: MatchBuffers,
  rowBest?: Float64Array,
): void {
  const D = pair.dtIds.length;
  const G = pair.gtIds.length;
  const T = iouThrs.length;
  const { gtOrder, gtIgnore, dtMatches, gtMatches, dtIgnore } = out;

  // Stable argsort of _ignore: kept GT first, then ignored, both in file order.
  let n = 0;
  for (let g = 0; g < G; g++) {
    const area = pair.gtAreas[g];
    if (!(pair.gtCrowd[g] || area < areaMin || area > areaMax)) gtOrder[n++] = g;
  }
  const kept = n;
  for (let g = 0; g < G; g++) {
    const area = pair.gtAreas[g];
    if (pair.gtCrowd[g] || area < areaMin || area > areaMax) gtOrder[n++] = g;
  }
  for (let g = 0; g < G; g++) gtIgnore[g] = g < kept ? 0 : 1;

  dtMatches.fill(0, 0, T * D);
  gtMatches.fill(0, 0, T * G);
  dtIgnore.fill(0, 0, T * D);

  const ious = pair.ious;
  if (D > 0 && G > 0) {
    const rowMax = rowBest ?? bestIouPerDetection(ious, D, G);
    for (let t = 0; t < T; t++) {
      const threshold = Math.min(iouThrs[t], 1 - 1e-10);
      const gtRow = t * G;
      const dtRow = t * D;
      for (let d = 0; d < D; d++) {
        if (rowMax[d] < threshold) continue;
        let best = threshold;
        let m = -1;
        const iouRow = d * G;
        for (let g = 0; g < G; g++) {
          const col = gtOrder[g];
          // a matched GT is taken, unless it is a crowd
          if (gtMatches[gtRow + g] > 0 && !pair.gtCrowd[col]) continue;
          // matched a regular GT already and only ignored ones are left
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[g] === 1) break;
          const iou = ious[iouRow + col];
          if (iou < best) continue;
          best = iou;
          m = g;
        }
        if (m === -1) continue;
        dtIgnore[dtRow + d] = gtIgnore[m];
        dtMatches[dtRow + d] = pair.gtIds[gtOrder[m]];
        gtMatches[gtRow + m] = pair.dtIds[d];
      }
    }
  }

  for (let d = 0; d < D; d++) {
    const area = pair.dtAreas[d];
    if (!(area < areaMin || area > areaMax)) continue;
    for (let t = 0; t < T; t++) if (dtMatches[t * D + d] === 0) dtIgnore[t * D + d] = 1;
  }
}
