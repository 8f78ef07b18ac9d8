import type { GroundTruth } from './ground-truth';
import type { PairInput } from './pair-input';
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

/** Stable sort of result indices by descending score (np.argsort(-score, kind='mergesort')). */
function byScore(indices: number[], scores: Float64Array): number[] {
  if (indices.length < 2) return indices;
  const order = indices.map((_, position) => position);
  order.sort((a, b) => scores[indices[b]] - scores[indices[a]] || a - b);
  return order.map((position) => indices[position]);
}

function concat(lists: number[][], total: number): Int32Array {
  const out = new Int32Array(total);
  let o = 0;
  for (const list of lists) for (const v of list) out[o++] = v;
  return out;
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
  const I = params.imgIds.length;
  const A = params.areaRng.length;
  const T = params.iouThrs.length;

  // Per image: GT and detections grouped by category position, file order (pycocotools _gts/_dts).
  const gtCells: (number[][] | null)[] = new Array(I).fill(null);
  const dtCells: (number[][] | null)[] = new Array(I).fill(null);
  const group = (indices: number[] | undefined, categoryIds: Float64Array): number[][] | null => {
    if (!indices) return null;
    const cells: number[][] = [];
    for (const index of indices) {
      const k = catPosition.get(categoryIds[index]);
      if (k === undefined) continue;
      if (cells[k]) cells[k].push(index);
      else cells[k] = [index];
    }
    return cells;
  };
  params.imgIds.forEach((imgId, i) => {
    gtCells[i] = group(gt.byImage.get(imgId), gt.categoryIds);
    dtCells[i] = group(dt.byImage.get(imgId), dt.categoryIds);
  });
  // useCats false: one cell per image holding every selected category, in catIds order.
  const cell = (cells: (number[][] | null)[], k: number, i: number): number[] => {
    const row = cells[i];
    if (!row) return [];
    if (params.useCats) return row[k] ?? [];
    return row.flatMap((list) => list ?? []);
  };
  // Images per category position that have GT or detections there, ascending (K x I is mostly empty).
  const imagesOf: number[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < I; i++) {
    const g = gtCells[i];
    const d = dtCells[i];
    if (!g && !d) continue;
    if (!params.useCats) {
      if (g?.some((l) => l?.length) || d?.some((l) => l?.length)) imagesOf[0].push(i);
      continue;
    }
    const n = Math.max(g?.length ?? 0, d?.length ?? 0);
    for (let k = 0; k < n; k++) if (g?.[k] || d?.[k]) imagesOf[k].push(i);
  }

  const catIndex: number[] = [];
  const imgIndex: number[] = [];
  const gtLists: number[][] = [];
  const dtLists: number[][] = [];
  for (let k = 0; k < K; k++)
    for (const i of imagesOf[k]) {
      catIndex.push(k);
      imgIndex.push(i);
      gtLists.push(cell(gtCells, k, i));
      dtLists.push(byScore(cell(dtCells, k, i), dt.scores).slice(0, maxDet));
    }

  const count = catIndex.length;
  const gtStart = new Int32Array(count + 1);
  const dtOffset = new Int32Array(count + 1);
  for (let p = 0; p < count; p++) {
    gtStart[p + 1] = gtStart[p] + gtLists[p].length;
    dtOffset[p + 1] = dtOffset[p] + dtLists[p].length;
  }
  const gtList = concat(gtLists, gtStart[count]);
  const dtList = concat(dtLists, dtOffset[count]);
  const dtScores = new Float64Array(dtList.length);
  for (let j = 0; j < dtList.length; j++) dtScores[j] = dt.scores[dtList[j]];
  const gtKept = new Int32Array(count * A);
  for (let p = 0; p < count; p++)
    for (let a = 0; a < A; a++) {
      const [lo, hi] = params.areaRng[a];
      let kept = 0;
      for (const g of gtLists[p]) if (!gt.crowd[g] && gt.areas[g] >= lo && gt.areas[g] <= hi) kept++;
      gtKept[p * A + a] = kept;
    }
  return {
    pairs: {
      count,
      catIndex: Int32Array.from(catIndex),
      imgIndex: Int32Array.from(imgIndex),
      dtCount: Int32Array.from(dtLists, (l) => l.length),
      gtCount: Int32Array.from(gtLists, (l) => l.length),
      dtOffset,
      dtScores,
      flags: shared(Uint8Array, dtList.length * A * T),
      gtKept,
    },
    gtStart,
    gtList,
    dtList,
    bestIou: shared(Float64Array, gtList.length),
  };
}

/** The self-contained input of pair p (copies of the few numbers it needs, references to segmentations). */
export function pairInput(
  plan: EvalPlan,
  p: number,
  gt: GroundTruth,
  dt: CocoResults,
  params: EvalParams,
): PairInput {
  const iouType = params.iouType;
  const gts = plan.gtList.subarray(plan.gtStart[p], plan.gtStart[p + 1]);
  const dts = plan.dtList.subarray(plan.pairs.dtOffset[p], plan.pairs.dtOffset[p + 1]);
  const G = gts.length;
  const D = dts.length;
  const image = gt.images.get(params.imgIds[plan.pairs.imgIndex[p]])!;
  const input: PairInput = {
    height: image.height,
    width: image.width,
    gtIds: new Float64Array(G),
    gtAreas: new Float64Array(G),
    gtCrowd: new Uint8Array(G),
    gtBoxes: new Float64Array(G * 4),
    gtSegmentations: iouType === 'segm' ? new Array(G) : null,
    dtIds: new Float64Array(D),
    dtAreas: new Float64Array(D),
    dtBoxes: new Float64Array(D * 4),
    dtSegmentations: null,
    dtIndices: Int32Array.from(dts),
  };
  for (let g = 0; g < G; g++) {
    const a = gts[g];
    input.gtIds[g] = gt.ids[a];
    input.gtAreas[g] = gt.areas[a];
    input.gtCrowd[g] = gt.crowd[a];
    if (iouType === 'bbox') {
      gt.checkedBox(a);
      for (let c = 0; c < 4; c++) input.gtBoxes[g * 4 + c] = gt.bboxes[a * 4 + c];
    } else input.gtSegmentations![g] = gt.segmentation(a);
  }
  let needsMask = iouType === 'segm';
  for (let d = 0; d < D; d++) {
    const r = dts[d];
    input.dtIds[d] = dt.ids[r];
    input.dtAreas[d] = dt.areas[r];
    for (let c = 0; c < 4; c++) input.dtBoxes[d * 4 + c] = dt.bboxes[r * 4 + c];
    if (Number.isNaN(dt.areas[r]) || (iouType === 'bbox' && Number.isNaN(dt.bboxes[r * 4]))) needsMask = true;
  }
  if (needsMask) input.dtSegmentations = Array.from(dts, (r) => dt.segmentation(r));
  return input;
}
