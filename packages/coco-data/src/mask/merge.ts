import { Rle } from './rle';

/**
 * Union (default) or intersection of RLEs, as pycocotools' merge (maskApi.c rleMerge). RLEs of another size
 * than the first make the result an empty 0 x 0 RLE, as there; no RLEs give 0 x 0 too.
 */
export function mergeRles(rles: readonly Rle[], intersect = false): Rle {
  const n = rles.length;
  if (n === 0) return new Rle(0, 0, new Uint32Array(0));
  const first = rles[0];
  if (n === 1) return new Rle(first.h, first.w, first.counts.slice());
  let h = first.h;
  let w = first.w;
  // Merged runs never outnumber the runs of both inputs (each boundary comes from one of them).
  let current: Uint32Array = first.counts.slice();
  for (let i = 1; i < n; i++) {
    const B = rles[i];
    if (B.h !== h || B.w !== w) {
      h = 0;
      w = 0;
      current = new Uint32Array(0);
      break;
    }
    current = mergeTwo(current, B.counts, intersect);
  }
  return new Rle(h, w, current);
}

function mergeTwo(A: Uint32Array, B: Uint32Array, intersect: boolean): Uint32Array {
  const out = new Uint32Array(A.length + B.length + 1);
  let ca = A[0] ?? 0;
  let cb = B[0] ?? 0;
  let v = false;
  let va = false;
  let vb = false;
  let m = 0;
  let a = 1;
  let b = 1;
  let cc = 0;
  let ct = 1;
  while (ct > 0) {
    const c = Math.min(ca, cb);
    cc += c;
    ct = 0;
    ca -= c;
    if (!ca && a < A.length) {
      ca = A[a++];
      va = !va;
    }
    ct += ca;
    cb -= c;
    if (!cb && b < B.length) {
      cb = B[b++];
      vb = !vb;
    }
    ct += cb;
    const vp: boolean = v;
    v = intersect ? va && vb : va || vb;
    if (v !== vp || ct === 0) {
      out[m++] = cc;
      cc = 0;
    }
  }
  return out.slice(0, m);
}
