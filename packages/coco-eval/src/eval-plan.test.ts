import { CocoDataset } from '@tasam/coco-data';
import fc from 'fast-check';
import { readFixture } from '../test/fixtures';
import { type EvalPlan, planEvaluation } from './eval-plan';
import { GroundTruth } from './ground-truth';
import { defaultParams, type EvalParams, normaliseParams } from './params';
import { type CocoResult, type CocoResults, loadResults } from './results';

// planEvaluation groups with two numeric sorts; the reference below is the straightforward grouping it
// replaced (per image, per category position, JS arrays), kept as the oracle.

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
function referencePlan(gt: GroundTruth, dt: CocoResults, params: EvalParams): EvalPlan {
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
      flags: new Uint8Array(dtList.length * A * T),
      gtKept,
    },
    gtStart,
    gtList,
    dtList,
    bestIou: new Float64Array(gtList.length),
  };
}

const gt = new GroundTruth(CocoDataset.fromJson(readFixture('gt.json'), 'gt.json'));
const results = readFixture<CocoResult[]>('dt_segm.json');

function comparable(plan: EvalPlan) {
  const { flags: _flags, ...pairs } = plan.pairs;
  return {
    ...Object.fromEntries(
      Object.entries(pairs).map(([key, value]) => [
        key,
        ArrayBuffer.isView(value) ? Array.from(value as Int32Array) : value,
      ]),
    ),
    gtStart: Array.from(plan.gtStart),
    gtList: Array.from(plan.gtList),
    dtList: Array.from(plan.dtList),
    bestIou: Math.max(1, plan.bestIou.length),
    flags: Math.max(1, plan.pairs.flags.length),
  };
}

describe('planEvaluation', () => {
  it('groups and orders as the straightforward grouping does, whatever the params', () => {
    const ids = (all: number[]) =>
      fc.oneof(
        fc.constant(all),
        fc.subarray(all),
        fc.array(fc.oneof(fc.constantFrom(...all), fc.integer({ min: 0, max: 600000 })), { maxLength: 30 }),
      );
    fc.assert(
      fc.property(
        ids(gt.imgIds),
        ids(gt.catIds),
        fc.boolean(),
        fc.constantFrom<number[]>([1, 10, 100], [1, 3], [2], [100, 200]),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: results.length, maxLength: results.length }),
        (imgIds, catIds, useCats, maxDets, scores) => {
          // coarse scores: many ties, broken by file order (and by category order without useCats)
          const dt: CocoResults = loadResults(
            gt,
            results.map((r, i) => ({ ...r, score: scores[i] / 4 })),
          );
          const params: EvalParams = normaliseParams({
            ...defaultParams('segm', gt.imgIds, gt.catIds),
            imgIds,
            catIds,
            useCats,
            maxDets,
          });
          expect(comparable(planEvaluation(gt, dt, params))).toEqual(
            comparable(referencePlan(gt, dt, params)),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
