import type { Accumulation } from './accumulate';
import { EvalParamsError } from './errors';
import { numpyMean } from './numpy-mean';
import type { EvalParams } from './params';
import { pythonFixed } from './python-format';

export interface Summary {
  /** The 12 COCO numbers in pycocotools order (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  stats: number[];
  /** The 12 lines pycocotools prints, without trailing newlines. */
  lines: string[];
}

interface SummaryQuery {
  ap: boolean;
  iouThr?: number;
  areaRng: string;
  maxDets: number;
}

/** The mean of the selected cells above -1 (numpy pairwise sum), or -1 when there is none. */
function summarizeOne(acc: Accumulation, params: EvalParams, q: SummaryQuery): number {
  // np.where(iouThr == p.iouThrs): exact float equality, as pycocotools
  const tList = params.iouThrs.flatMap((thr, i) => (q.iouThr === undefined || thr === q.iouThr ? [i] : []));
  const aList = params.areaRngLbl.flatMap((label, i) => (label === q.areaRng ? [i] : []));
  const mList = params.maxDets.flatMap((m, i) => (m === q.maxDets ? [i] : []));
  // numpy broadcasts the two index lists together; pycocotools always gets at most one of each.
  const pairsAM =
    aList.length && mList.length ? aList.map((a, i) => [a, mList[Math.min(i, mList.length - 1)]]) : [];
  const [, R, K, A, M] = acc.precision.dims;
  // the selected cells as offsets within a [K, A, M] block, in numpy's order (k, then the pairs)
  const cells = Int32Array.from(
    Array.from({ length: K }, (_, k) => pairsAM.map(([a, m]) => (k * A + a) * M + m)).flat(),
  );
  const block = K * A * M;
  return q.ap
    ? meanAboveMinusOne(acc.precision.data, tList, R, block, cells)
    : meanAboveMinusOne(acc.recall.data, tList, 1, block, cells);
}

/** np.mean of data[t][r][cell] above -1 for t in tList, r < R, cell in cells (row-major), or -1. */
function meanAboveMinusOne(
  data: Float64Array,
  tList: number[],
  R: number,
  block: number,
  cells: Int32Array,
): number {
  const values = new Float64Array(tList.length * R * cells.length);
  let n = 0;
  for (const t of tList) n = aboveMinusOne(data, t * R * block, R, block, cells, values, n);
  return n === 0 ? -1 : numpyMean(values.subarray(0, n));
}

/** Appends data[base + r * block + cell] above -1 (r < R, cell in cells) to values[n..]; returns the new n. */
function aboveMinusOne(
  data: Float64Array,
  base: number,
  R: number,
  block: number,
  cells: Int32Array,
  values: Float64Array,
  n: number,
): number {
  let m = n;
  for (let r = 0; r < R; r++) {
    const row = base + r * block;
    for (let c = 0; c < cells.length; c++) {
      const v = data[row + cells[c]];
      if (v > -1) values[m++] = v;
    }
  }
  return m;
}

function summaryLine(params: EvalParams, q: SummaryQuery, value: number): string {
  const title = q.ap ? 'Average Precision' : 'Average Recall';
  const kind = q.ap ? '(AP)' : '(AR)';
  const iou =
    q.iouThr === undefined
      ? `${pythonFixed(params.iouThrs[0], 2)}:${pythonFixed(params.iouThrs[params.iouThrs.length - 1], 2)}`
      : pythonFixed(q.iouThr, 2);
  return ` ${title.padEnd(18)} ${kind} @[ IoU=${iou.padEnd(9)} | area=${q.areaRng.padStart(6)} | maxDets=${String(q.maxDets).padStart(3)} ] = ${pythonFixed(value, 3)}`;
}

/** COCOeval.summarize for segm/bbox: the 12 stats and the lines pycocotools prints. */
export function summarizeAccumulation(acc: Accumulation, params: EvalParams): Summary {
  if (params.maxDets.length < 3)
    throw new EvalParamsError('maxDets', 'summarize reads maxDets[0], [1] and [2]: give at least three');
  const [m0, m1, m2] = params.maxDets;
  const queries: SummaryQuery[] = [
    { ap: true, areaRng: 'all', maxDets: 100 },
    { ap: true, iouThr: 0.5, areaRng: 'all', maxDets: m2 },
    { ap: true, iouThr: 0.75, areaRng: 'all', maxDets: m2 },
    { ap: true, areaRng: 'small', maxDets: m2 },
    { ap: true, areaRng: 'medium', maxDets: m2 },
    { ap: true, areaRng: 'large', maxDets: m2 },
    { ap: false, areaRng: 'all', maxDets: m0 },
    { ap: false, areaRng: 'all', maxDets: m1 },
    { ap: false, areaRng: 'all', maxDets: m2 },
    { ap: false, areaRng: 'small', maxDets: m2 },
    { ap: false, areaRng: 'medium', maxDets: m2 },
    { ap: false, areaRng: 'large', maxDets: m2 },
  ];
  const stats = queries.map((q) => summarizeOne(acc, params, q));
  return { stats, lines: queries.map((q, i) => summaryLine(params, q, stats[i])) };
}

/**
 * AP of one category: the mean of precision[:, :, k, area, maxDet] above -1 over thresholds and recall
 * points (the usual per-category table at area 'all', maxDets 100); -1 when the category has no GT.
 */
export function categoryAp(acc: Accumulation, k: number, areaIndex: number, maxDetIndex: number): number {
  const [T, R, K, A, M] = acc.precision.dims;
  const tList = Array.from({ length: T }, (_, t) => t);
  return meanAboveMinusOne(
    acc.precision.data,
    tList,
    R,
    K * A * M,
    Int32Array.of((k * A + areaIndex) * M + maxDetIndex),
  );
}
