import type { GroundTruth } from './ground-truth';
import type { MaskSource, PairInput } from './pair-input';
import type { PairTable } from './pair-table';
import type { EvalParams } from './params';
import type { CocoResults } from './results';

/**
 * Which GT and detections each (image, category) pair holds, decided without touching a mask
 * (COCOeval._prepare plus the sort and cut of computeIoU), and the pair table the evaluation fills.
 */
export interface EvalPlan {
  pairs: PairTable;
  /** GT annotation indices per pair (computeIoU order) at gtList[gtStart[p] .. gtStart[p+1]). */
  gtStart: Int32Array;
  gtList: Int32Array;
  /** Result indices per pair (score order, cut) at dtList[pairs.dtOffset[p] ..]. */
  dtList: Int32Array;
  /** Best IoU of any kept detection per gtList entry (NaN for crowd); filled by the evaluation. */
  bestIou: Float64Array;
}

/**
 * Entries sorted by (cell, index): the indices of entries whose cell is not -1, ordered by cell and, within
 * a cell, by index (file order). One numeric sort of cell * n + index when that stays below 2^53.
 */
function byCell(cells: Float64Array, cellCount: number): Int32Array {
  const n = cells.length;
  let kept = 0;
  for (let e = 0; e < n; e++) if (cells[e] >= 0) kept++;
  const out = new Int32Array(kept);
  if (cellCount * Math.max(n, 1) < 2 ** 53) {
    const keys = new Float64Array(kept);
    let o = 0;
    for (let e = 0; e < n; e++) if (cells[e] >= 0) keys[o++] = cells[e] * n + e;
    keys.sort();
    for (let o2 = 0; o2 < kept; o2++) out[o2] = keys[o2] % n;
    return out;
  }
  let o = 0;
  for (let e = 0; e < n; e++) if (cells[e] >= 0) out[o++] = e;
  return out.sort((a, b) => cells[a] - cells[b] || a - b);
}

/** Sorts list[from, to) stably by descending score (np.argsort(-score, kind='mergesort')). */
function byScore(list: Int32Array, from: number, to: number, scores: Float64Array): void {
  if (to - from <= 32) {
    for (let i = from + 1; i < to; i++) {
      const r = list[i];
      const score = scores[r];
      let j = i - 1;
      // move past lower scores only: equal scores keep their order
      while (j >= from && scores[list[j]] < score) {
        list[j + 1] = list[j];
        j--;
      }
      list[j + 1] = r;
    }
    return;
  }
  const positions = Array.from({ length: to - from }, (_, i) => from + i);
  positions.sort((a, b) => scores[list[b]] - scores[list[a]] || a - b);
  list.set(
    positions.map((i) => list[i]),
    from,
  );
}

function shared<T extends Uint8Array | Float64Array>(
  Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  n: number,
): T {
  return new Ctor(new SharedArrayBuffer(Math.max(1, n) * Ctor.BYTES_PER_ELEMENT));
}

export function planEvaluation(gt: GroundTruth, dt: CocoResults, params: EvalParams): EvalPlan {
  const maxDet = params.maxDets[params.maxDets.length - 1];
  const catPosition = new Map<number, number>();
  for (const [k, id] of params.catIds.entries()) catPosition.set(id, k);
  const K = params.useCats ? params.catIds.length : 1;
  const Kall = params.catIds.length;
  const I = params.imgIds.length;
  const A = params.areaRng.length;
  const T = params.iouThrs.length;

  // Each annotation's and result's place (pycocotools _gts/_dts): with useCats the cell k * I + i
  // (category position k, image position i), ordered category-major as the pairs are; without, the image i,
  // holding the selected categories in catIds order. The sort key adds the category position to the image
  // (i * Kall + k) so that order comes out of the same sort; -1 for what is not evaluated.
  const place = (categoryIds: Float64Array, byImage: Map<number, number[]>) => {
    const keys = new Float64Array(categoryIds.length).fill(-1);
    for (let i = 0; i < I; i++) {
      const list = byImage.get(params.imgIds[i]);
      if (!list) continue;
      for (const e of list) {
        const k = catPosition.get(categoryIds[e]);
        if (k !== undefined) keys[e] = params.useCats ? k * I + i : i * Kall + k;
      }
    }
    return { keys, order: byCell(keys, Math.max(K * I, I * Kall)) };
  };
  const gtPlace = place(gt.categoryIds, gt.byImage);
  const dtPlace = place(dt.categoryIds, dt.byImage);
  const gtOrder = gtPlace.order;
  const dtOrder = dtPlace.order;
  const cellOf = (keys: Float64Array, e: number) => (params.useCats ? keys[e] : Math.floor(keys[e] / Kall));

  // Pairs: the cells with GT or detections, in cell order; each cell's GT and (score-sorted, cut) results.
  const catIndex: number[] = [];
  const imgIndex: number[] = [];
  const gtStartList: number[] = [0];
  const dtStartList: number[] = [0];
  const dtList = new Int32Array(dtOrder.length);
  let g = 0;
  let d = 0;
  let kept = 0;
  while (g < gtOrder.length || d < dtOrder.length) {
    const cell = Math.min(
      g < gtOrder.length ? cellOf(gtPlace.keys, gtOrder[g]) : Number.POSITIVE_INFINITY,
      d < dtOrder.length ? cellOf(dtPlace.keys, dtOrder[d]) : Number.POSITIVE_INFINITY,
    );
    while (g < gtOrder.length && cellOf(gtPlace.keys, gtOrder[g]) === cell) g++;
    const from = d;
    while (d < dtOrder.length && cellOf(dtPlace.keys, dtOrder[d]) === cell) d++;
    dtList.set(dtOrder.subarray(from, d), kept);
    byScore(dtList, kept, kept + d - from, dt.scores);
    kept += Math.min(d - from, maxDet);
    catIndex.push(params.useCats ? Math.floor(cell / I) : 0);
    imgIndex.push(params.useCats ? cell % I : cell);
    gtStartList.push(g);
    dtStartList.push(kept);
  }

  const count = catIndex.length;
  const gtStart = Int32Array.from(gtStartList);
  const dtOffset = Int32Array.from(dtStartList);
  const gtList = gtOrder;
  const dtKept = dtList.slice(0, kept);
  const dtScores = new Float64Array(kept);
  for (let j = 0; j < kept; j++) dtScores[j] = dt.scores[dtKept[j]];
  const gtKept = new Int32Array(count * A);
  const dtCount = new Int32Array(count);
  const gtCount = new Int32Array(count);
  for (let p = 0; p < count; p++) {
    dtCount[p] = dtOffset[p + 1] - dtOffset[p];
    gtCount[p] = gtStart[p + 1] - gtStart[p];
    for (let a = 0; a < A; a++) {
      const [lo, hi] = params.areaRng[a];
      let n = 0;
      for (let j = gtStart[p]; j < gtStart[p + 1]; j++) {
        const e = gtList[j];
        if (!gt.crowd[e] && gt.areas[e] >= lo && gt.areas[e] <= hi) n++;
      }
      gtKept[p * A + a] = n;
    }
  }
  return {
    pairs: {
      count,
      catIndex: Int32Array.from(catIndex),
      imgIndex: Int32Array.from(imgIndex),
      dtCount,
      gtCount,
      dtOffset,
      dtScores,
      flags: shared(Uint8Array, kept * A * T),
      gtKept,
    },
    gtStart,
    gtList,
    dtList: dtKept,
    bestIou: shared(Float64Array, gtList.length),
  };
}

/**
 * Reusable buffers for pairInput on one thread: the typed arrays of a PairInput are views of these, valid
 * until the next pairInput call with the same scratch (evaluate() uses each input once, at once).
 */
export class PairScratch {
  private gtNumbers = new Float64Array(64 * 7);
  private gtFlags = new Uint8Array(64);
  private dtNumbers = new Float64Array(128 * 6);
  private dtIndices = new Int32Array(128);
  readonly gtSegmentations: MaskSource[] = [];
  readonly dtSegmentations: MaskSource[] = [];

  /** Zeroed views for G GT and D detections. */
  input(height: number, width: number, G: number, D: number): PairInput {
    if (this.gtFlags.length < G) {
      this.gtNumbers = new Float64Array(G * 2 * 7);
      this.gtFlags = new Uint8Array(G * 2);
    }
    if (this.dtIndices.length < D) {
      this.dtNumbers = new Float64Array(D * 2 * 6);
      this.dtIndices = new Int32Array(D * 2);
    }
    const g = this.gtNumbers.subarray(0, G * 6);
    const d = this.dtNumbers.subarray(0, D * 6);
    g.fill(0);
    d.fill(0);
    return {
      height,
      width,
      gtIds: g.subarray(0, G),
      gtAreas: g.subarray(G, 2 * G),
      gtCrowd: this.gtFlags.subarray(0, G),
      gtBoxes: g.subarray(2 * G, 6 * G),
      gtSegmentations: null,
      dtIds: d.subarray(0, D),
      dtAreas: d.subarray(D, 2 * D),
      dtBoxes: d.subarray(2 * D, 6 * D),
      dtSegmentations: null,
      dtIndices: this.dtIndices.subarray(0, D),
    };
  }
}

/**
 * The self-contained input of pair p (copies of the few numbers it needs, references to segmentations); in
 * `scratch`'s buffers when one is given.
 */
export function pairInput(
  plan: EvalPlan,
  p: number,
  gt: GroundTruth,
  dt: CocoResults,
  params: EvalParams,
  scratch?: PairScratch,
): PairInput {
  const iouType = params.iouType;
  const gtFrom = plan.gtStart[p];
  const dtFrom = plan.pairs.dtOffset[p];
  const G = plan.gtStart[p + 1] - gtFrom;
  const D = plan.pairs.dtOffset[p + 1] - dtFrom;
  const image = gt.images.get(params.imgIds[plan.pairs.imgIndex[p]])!;
  const input: PairInput = scratch
    ? scratch.input(image.height, image.width, G, D)
    : {
        height: image.height,
        width: image.width,
        gtIds: new Float64Array(G),
        gtAreas: new Float64Array(G),
        gtCrowd: new Uint8Array(G),
        gtBoxes: new Float64Array(G * 4),
        gtSegmentations: null,
        dtIds: new Float64Array(D),
        dtAreas: new Float64Array(D),
        dtBoxes: new Float64Array(D * 4),
        dtSegmentations: null,
        dtIndices: new Int32Array(D),
      };
  const gtSegmentations = iouType === 'segm' ? (scratch?.gtSegmentations ?? new Array<MaskSource>(G)) : null;
  if (gtSegmentations) gtSegmentations.length = G;
  for (let g = 0; g < G; g++) {
    const a = plan.gtList[gtFrom + g];
    input.gtIds[g] = gt.ids[a];
    input.gtAreas[g] = gt.areas[a];
    input.gtCrowd[g] = gt.crowd[a];
    if (iouType === 'bbox') {
      gt.checkedBox(a);
      for (let c = 0; c < 4; c++) input.gtBoxes[g * 4 + c] = gt.bboxes[a * 4 + c];
    } else gtSegmentations![g] = gt.segmentation(a);
  }
  input.gtSegmentations = gtSegmentations;
  let needsMask = iouType === 'segm';
  for (let d = 0; d < D; d++) {
    const r = plan.dtList[dtFrom + d];
    input.dtIndices[d] = r;
    input.dtIds[d] = dt.ids[r];
    input.dtAreas[d] = dt.areas[r];
    for (let c = 0; c < 4; c++) input.dtBoxes[d * 4 + c] = dt.bboxes[r * 4 + c];
    if (Number.isNaN(dt.areas[r]) || (iouType === 'bbox' && Number.isNaN(dt.bboxes[r * 4]))) needsMask = true;
  }
  if (needsMask) {
    const dtSegmentations = scratch?.dtSegmentations ?? new Array<MaskSource>(D);
    dtSegmentations.length = D;
    for (let d = 0; d < D; d++) dtSegmentations[d] = dt.segmentation(input.dtIndices[d]);
    input.dtSegmentations = dtSegmentations;
  }
  return input;
}
