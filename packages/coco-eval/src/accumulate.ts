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

// The steps below are small functions on purpose: each is called many times and gets compiled early, where
// one function with every loop inside is run once and compiled (and recompiled) loop by loop while it runs,
// which cost more than the accumulation itself.

/**
 * Positions 0..n-1 ordered by descending score, ties in position order (np.argsort(-scores,
 * kind='mergesort')): one numeric sort of keys (score rank * n + position) instead of a sort calling a
 * comparator. -0 and 0 are one score, as in that argsort. Falls back to the comparator past 2^53 (or for
 * NaN scores, which loadResults rejects).
 */
export function byDescendingScore(scores: Float64Array): Uint32Array {
  const n = scores.length;
  const distinct = scores.slice().sort();
  const u = uniqueInPlace(distinct);
  if (u * n >= 2 ** 53 || Number.isNaN(distinct[n - 1])) return byComparator(scores);
  const keys = rankKeys(scores, distinct, u);
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = keys[i] % n;
  return order;
}

/** Moves the distinct values of a sorted array to its front (-0 and 0 as one); returns how many. */
function uniqueInPlace(sorted: Float64Array): number {
  let u = 0;
  for (let i = 0; i < sorted.length; i++) if (u === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
  return u;
}

/** Per position: (rank of its score among the u distinct ones, highest first) * n + position. */
function rankKeys(scores: Float64Array, distinct: Float64Array, u: number): Float64Array {
  const n = scores.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = u;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid] < scores[i]) lo = mid + 1;
      else hi = mid;
    }
    keys[i] = (u - 1 - lo) * n + i;
  }
  return keys;
}

function byComparator(scores: Float64Array): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((x, y) => scores[y] - scores[x] || x - y);
}

/** The detections of one category: score, rank in its pair, offset of its flags; in pair order. */
interface CategoryEntries {
  total: number;
  score: Float64Array;
  rank: Int32Array;
  flagsAt: Int32Array;
}

function categoryEntries(pairs: PairTable, pairStart: number, pairEnd: number, AT: number): CategoryEntries {
  let total = 0;
  for (let p = pairStart; p < pairEnd; p++) total += pairs.dtCount[p];
  const entries = {
    total,
    score: new Float64Array(total),
    rank: new Int32Array(total),
    flagsAt: new Int32Array(total),
  };
  let e = 0;
  for (let p = pairStart; p < pairEnd; p++) {
    const off = pairs.dtOffset[p];
    for (let r = 0; r < pairs.dtCount[p]; r++, e++) {
      entries.score[e] = pairs.dtScores[off + r];
      entries.rank[e] = r;
      entries.flagsAt[e] = (off + r) * AT;
    }
  }
  return entries;
}

/**
 * The flags ([a][t], AT bytes) and scores of the detections within maxDet of their pair, in score order,
 * into kept/keptScore; returns how many.
 */
function gatherKept(
  entries: CategoryEntries,
  order: Uint32Array,
  maxDet: number,
  flags: Uint8Array,
  AT: number,
  kept: Uint8Array,
  keptScore: Float64Array,
): number {
  let nd = 0;
  for (let i = 0; i < entries.total; i++) {
    const entry = order[i];
    if (entries.rank[entry] >= maxDet) continue;
    const from = entries.flagsAt[entry];
    const to = nd * AT;
    for (let j = 0; j < AT; j++) kept[to + j] = flags[from + j];
    keptScore[nd] = entries.score[entry];
    nd++;
  }
  return nd;
}

const EPS = 2.220446049250313e-16; // np.spacing(1)

/**
 * Cumulative TP/FP of the not-ignored detections at flag column `row`: recall tp / npig into rc and
 * precision tp / (fp + tp + eps), made monotone right to left, into pr.
 */
function precisionCurve(
  kept: Uint8Array,
  AT: number,
  row: number,
  nd: number,
  npig: number,
  rc: Float64Array,
  pr: Float64Array,
): void {
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < nd; i++) {
    const flag = kept[i * AT + row];
    if (!(flag & IGNORED)) {
      if (flag & MATCHED) tp++;
      else fp++;
    }
    rc[i] = tp / npig;
    pr[i] = tp / (fp + tp + EPS);
  }
  for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
}

/**
 * precision and scores at searchsorted(rc, recThrs, 'left'), `stride` apart from `base`; 0 past the last
 * detection (pycocotools' IndexError: that and every later threshold read 0).
 */
function readAtRecall(
  rc: Float64Array,
  pr: Float64Array,
  keptScore: Float64Array,
  nd: number,
  recThrs: ArrayLike<number>,
  precision: Float64Array,
  scores: Float64Array,
  base: number,
  stride: number,
): void {
  const R = recThrs.length;
  let r = 0;
  for (; r < R; r++) {
    const pi = searchLeft(rc, nd, recThrs[r]);
    if (pi >= nd) break;
    precision[base + r * stride] = pr[pi];
    scores[base + r * stride] = keptScore[pi];
  }
  for (; r < R; r++) {
    precision[base + r * stride] = 0;
    scores[base + r * stride] = 0;
  }
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
  const AT = A * T;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const stride = K * A * M;
  // The evaluation wrote the flags into shared memory (worker threads); a private copy reads faster.
  const flags = pairs.flags.buffer instanceof SharedArrayBuffer ? pairs.flags.slice() : pairs.flags;

  let pairStart = 0;
  for (let k = 0; k < K; k++) {
    let pairEnd = pairStart;
    while (pairEnd < pairs.count && pairs.catIndex[pairEnd] === k) pairEnd++;
    if (pairEnd === pairStart) continue; // no evaluated image: stays -1
    const entries = categoryEntries(pairs, pairStart, pairEnd, AT);
    const order = byDescendingScore(entries.score);
    const kept = new Uint8Array(entries.total * AT);
    const keptScore = new Float64Array(entries.total);
    const rc = new Float64Array(entries.total);
    const pr = new Float64Array(entries.total);
    for (let m = 0; m < M; m++) {
      const nd = gatherKept(entries, order, shape.maxDets[m], flags, AT, kept, keptScore);
      for (let a = 0; a < A; a++) {
        let npig = 0;
        for (let p = pairStart; p < pairEnd; p++) npig += pairs.gtKept[p * A + a];
        if (npig === 0) continue;
        for (let t = 0; t < T; t++) {
          precisionCurve(kept, AT, a * T + t, nd, npig, rc, pr);
          const cell = (k * A + a) * M + m;
          recall[t * stride + cell] = nd ? rc[nd - 1] : 0;
          readAtRecall(
            rc,
            pr,
            keptScore,
            nd,
            shape.recThrs,
            precision,
            scores,
            t * R * stride + cell,
            stride,
          );
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
