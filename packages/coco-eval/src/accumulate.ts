import { IGNORED, MATCHED, type PairTable } from './pair-table';

/** A float64 array with explicit dims (row-major), as tensors cross package boundaries. */
export interface Float64Tensor {
  data: Float64Array;
  dims: number[];
}

export interface Accumulation {
  /** [T, R, K, A, M]; -1 where a category has no GT (or no evaluated image) in that setting. */
  precision: Float64Tensor;
  /** [T, K, A, M]; -1 likewise. */
  recall: Float64Tensor;
  /** [T, R, K, A, M] the score at which each recall threshold is reached. */
  scores: Float64Tensor;
}

export interface AccumulateShape {
  iouThrs: ArrayLike<number>;
  recThrs: ArrayLike<number>;
  /** K: params.catIds.length, or 1 when useCats is false. */
  categories: number;
  areaRanges: number;
  maxDets: ArrayLike<number>;
}

/** First index i with values[i] >= x in a non-decreasing prefix of length n (numpy searchsorted 'left'). */
function searchLeft(values: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * COCOeval.accumulate: per category, area range and maxDets, detections of all images sorted by score
 * (stable: image order, then rank within the image), cumulative TP/FP per IoU threshold, precision made
 * monotone right to left and read at searchsorted(recall, recThrs, 'left'); thresholds past the last
 * detection read 0.
 */
export function accumulatePairs(pairs: PairTable, shape: AccumulateShape): Accumulation {
  const T = shape.iouThrs.length;
  const R = shape.recThrs.length;
  const K = shape.categories;
  const A = shape.areaRanges;
  const M = shape.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const recThrs = shape.recThrs;
  const eps = 2.220446049250313e-16; // np.spacing(1)

  let pairStart = 0;
  for (let k = 0; k < K; k++) {
    let pairEnd = pairStart;
    while (pairEnd < pairs.count && pairs.catIndex[pairEnd] === k) pairEnd++;
    if (pairEnd === pairStart) continue; // no evaluated image: stays -1
    // All detections of the category: pair, rank within the pair; sorted stably by descending score.
    let total = 0;
    for (let p = pairStart; p < pairEnd; p++) total += pairs.dtCount[p];
    const entryPair = new Int32Array(total);
    const entryRank = new Int32Array(total);
    const entryScore = new Float64Array(total);
    let e = 0;
    for (let p = pairStart; p < pairEnd; p++) {
      const off = pairs.dtOffset[p];
      for (let r = 0; r < pairs.dtCount[p]; r++, e++) {
        entryPair[e] = p;
        entryRank[e] = r;
        entryScore[e] = pairs.dtScores[off + r];
      }
    }
    const order = new Uint32Array(total);
    for (let i = 0; i < total; i++) order[i] = i;
    order.sort((x, y) => entryScore[y] - entryScore[x] || x - y);

    // The flags of the kept detections, gathered in score order: [i][a][t], read with a fixed stride below.
    const AT = A * T;
    const kept = new Uint8Array(total * AT);
    const keptScore = new Float64Array(total);
    const tpSum = new Float64Array(total);
    const fpSum = new Float64Array(total);
    const rc = new Float64Array(total);
    const pr = new Float64Array(total);
    const stride = K * A * M;

    for (let m = 0; m < M; m++) {
      const maxDet = shape.maxDets[m];
      let nd = 0;
      for (let i = 0; i < total; i++) {
        const entry = order[i];
        if (entryRank[entry] >= maxDet) continue;
        const from = (pairs.dtOffset[entryPair[entry]] + entryRank[entry]) * AT;
        for (let j = 0; j < AT; j++) kept[nd * AT + j] = pairs.flags[from + j];
        keptScore[nd] = entryScore[entry];
        nd++;
      }
      for (let a = 0; a < A; a++) {
        let npig = 0;
        for (let p = pairStart; p < pairEnd; p++) npig += pairs.gtKept[p * A + a];
        if (npig === 0) continue;
        for (let t = 0; t < T; t++) {
          const row = a * T + t;
          let tp = 0;
          let fp = 0;
          for (let i = 0; i < nd; i++) {
            const flag = kept[i * AT + row];
            if (!(flag & IGNORED)) {
              if (flag & MATCHED) tp++;
              else fp++;
            }
            tpSum[i] = tp;
            fpSum[i] = fp;
          }
          for (let i = 0; i < nd; i++) {
            rc[i] = tpSum[i] / npig;
            pr[i] = tpSum[i] / (fpSum[i] + tpSum[i] + eps);
          }
          const cell = (k * A + a) * M + m;
          recall[t * stride + cell] = nd ? rc[nd - 1] : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          const base = t * R * stride + cell;
          let r = 0;
          for (; r < R; r++) {
            const pi = searchLeft(rc, nd, recThrs[r]);
            if (pi >= nd) break; // pycocotools' IndexError: this and every later threshold read 0
            precision[base + r * stride] = pr[pi];
            scores[base + r * stride] = keptScore[pi];
          }
          for (; r < R; r++) {
            precision[base + r * stride] = 0;
            scores[base + r * stride] = 0;
          }
        }
      }
    }
    pairStart = pairEnd;
  }
  return {
    precision: { data: precision, dims: [T, R, K, A, M] },
    recall: { data: recall, dims: [T, K, A, M] },
    scores: { data: scores, dims: [T, R, K, A, M] },
  };
}
