import { IouInputError } from '../errors';
import { bboxInto, rleArea } from './measure';
import type { Bbox, Rle } from './rle';

/**
 * IoU of every detection against every ground truth, as pycocotools' iou (maskApi.c rleIou): the result is
 * row-major [dt.length x gt.length]. For a crowd ground truth the denominator is the detection's area. Pairs
 * whose boxes do not overlap are 0 without looking at the runs; pairs of different image sizes whose boxes
 * overlap are -1, as there.
 */
export function rleIou(
  dt: readonly Rle[],
  gt: readonly Rle[],
  iscrowd: ArrayLike<number | boolean>,
): Float64Array {
  const m = dt.length;
  const n = gt.length;
  if (m === 0 || n === 0) return new Float64Array(0);
  checkCrowd(iscrowd, n);
  const db = new Float64Array(m * 4);
  const gb = new Float64Array(n * 4);
  for (let d = 0; d < m; d++) bboxInto(dt[d], db, d * 4);
  for (let g = 0; g < n; g++) bboxInto(gt[g], gb, g * 4);
  const out = new Float64Array(m * n);
  boxIouInto(db, gb, m, n, iscrowd, out);
  for (let g = 0; g < n; g++) {
    const G = gt[g];
    const crowd = isCrowd(iscrowd, g);
    for (let d = 0; d < m; d++) {
      const o = d * n + g;
      if (!(out[o] > 0)) continue;
      const D = dt[d];
      if (D.h !== G.h || D.w !== G.w) {
        out[o] = -1;
        continue;
      }
      out[o] = runIou(D.counts, G.counts, crowd ? D : null, d, g);
    }
  }
  return out;
}

/**
 * Walks both run lists at once: intersection and union in pixels, no decoding. Runs that do not cover the same
 * number of pixels (an Rle built by hand whose counts do not sum to h x w) are an IouInputError: pycocotools'
 * loop would spin forever on them.
 */
function runIou(A: Uint32Array, B: Uint32Array, crowdDt: Rle | null, d: number, g: number): number {
  const ka = A.length;
  const kb = B.length;
  let ca = A[0];
  let cb = B[0];
  let va = false;
  let vb = false;
  let a = 1;
  let b = 1;
  let inter = 0;
  let union = 0;
  let ct = 1;
  while (ct > 0) {
    const c = Math.min(ca, cb);
    if (va || vb) {
      union += c;
      if (va && vb) inter += c;
    }
    ct = 0;
    ca -= c;
    if (!ca && a < ka) {
      ca = A[a++];
      va = !va;
    }
    ct += ca;
    cb -= c;
    if (!cb && b < kb) {
      cb = B[b++];
      vb = !vb;
    }
    ct += cb;
    if (ct > 0 && ((ca === 0 && a >= ka) || (cb === 0 && b >= kb))) {
      throw new IouInputError(
        `the runs of detection ${d} and ground truth ${g} cover different numbers of pixels ` +
          '(counts must sum to h x w)',
      );
    }
  }
  if (inter === 0) union = 1;
  else if (crowdDt) union = rleArea(crowdDt);
  return inter / union;
}

/**
 * IoU of boxes [x, y, w, h], row-major [dt.length x gt.length] (maskApi.c bbIou); a crowd ground truth uses
 * the detection's area as the denominator.
 */
export function bboxIou(
  dt: readonly Bbox[],
  gt: readonly Bbox[],
  iscrowd: ArrayLike<number | boolean>,
): Float64Array {
  const m = dt.length;
  const n = gt.length;
  if (m === 0 || n === 0) return new Float64Array(0);
  checkCrowd(iscrowd, n);
  const db = new Float64Array(m * 4);
  const gb = new Float64Array(n * 4);
  for (let d = 0; d < m; d++) for (let i = 0; i < 4; i++) db[d * 4 + i] = dt[d][i];
  for (let g = 0; g < n; g++) for (let i = 0; i < 4; i++) gb[g * 4 + i] = gt[g][i];
  const out = new Float64Array(m * n);
  boxIouInto(db, gb, m, n, iscrowd, out);
  return out;
}

function boxIouInto(
  db: Float64Array,
  gb: Float64Array,
  m: number,
  n: number,
  iscrowd: ArrayLike<number | boolean>,
  out: Float64Array,
): void {
  for (let g = 0; g < n; g++) {
    const gx = gb[g * 4];
    const gy = gb[g * 4 + 1];
    const gw = gb[g * 4 + 2];
    const gh = gb[g * 4 + 3];
    const ga = gw * gh;
    const crowd = isCrowd(iscrowd, g);
    for (let d = 0; d < m; d++) {
      const dx = db[d * 4];
      const dy = db[d * 4 + 1];
      const dw = db[d * 4 + 2];
      const dh = db[d * 4 + 3];
      const da = dw * dh;
      const o = d * n + g;
      out[o] = 0;
      // Same operation order as the C code so results match bit for bit.
      const iw = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (iw <= 0) continue;
      const ih = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (ih <= 0) continue;
      const i = iw * ih;
      const u = crowd ? da : da + ga - i;
      out[o] = i / u;
    }
  }
}

function isCrowd(iscrowd: ArrayLike<number | boolean>, g: number): boolean {
  const v = iscrowd[g];
  return v === true || (typeof v === 'number' && v !== 0);
}

function checkCrowd(iscrowd: ArrayLike<number | boolean>, n: number): void {
  if (iscrowd == null || typeof iscrowd.length !== 'number' || iscrowd.length !== n) {
    throw new IouInputError(
      `iscrowd has ${iscrowd == null ? 'no' : iscrowd.length} entries, expected one per ground truth (${n})`,
    );
  }
}
