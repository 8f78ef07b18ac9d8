// The rasteriser of rleFromPolygon as it was before it stopped storing the dense boundary: a line-by-line port
// of pycocotools' rleFrPoly (maskApi.c). Tests compare the current rasteriser with it on small coordinates,
// where its memory (16 bytes per boundary point) is no concern.
import { Rle } from '../src';

const SCALE = 5;

/** The mask of polygon [x0, y0, x1, y1, ...] on an h x w image, walking the whole boundary as the C code. */
export function referenceRleFromPolygon(xy: ArrayLike<number>, h: number, w: number): Rle {
  return rasterisePolygon(xy, Math.floor(xy.length / 2), h, w);
}

function rasterisePolygon(xy: ArrayLike<number>, k: number, h: number, w: number): Rle {
  // No vertices, or no pixels to fill (where the C code would compute garbage): an empty mask.
  if (k === 0 || h === 0 || w === 0) return Rle.empty(h, w);
  // Vertices on the 5x grid, truncated toward zero as C's (int) cast does.
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) x[j] = Math.trunc(SCALE * xy[j * 2] + 0.5);
  x[k] = x[0];
  for (let j = 0; j < k; j++) y[j] = Math.trunc(SCALE * xy[j * 2 + 1] + 0.5);
  y[k] = y[0];
  let m = 0;
  for (let j = 0; j < k; j++) m += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
  // Dense boundary points (u, v) on the 5x grid.
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  m = 0;
  for (let j = 0; j < k; j++) {
    let xs = x[j];
    let xe = x[j + 1];
    let ys = y[j];
    let ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    if (dx >= dy) {
      const s = (ye - ys) / dx;
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        v[m] = Math.trunc(ys + s * t + 0.5);
        m++;
      }
    } else {
      const s = (xe - xs) / dy;
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = Math.trunc(xs + s * t + 0.5);
        m++;
      }
    }
  }
  // Points where the boundary crosses a pixel column centre, downsampled to pixel coordinates.
  const total = m;
  const a = new Float64Array(total + 1);
  let n = 0;
  for (let j = 1; j < total; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = Math.min(v[j], v[j - 1]);
    yd = (yd + 0.5) / SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    // (uint)(x * (int)h + y), wrapped like the C cast.
    a[n++] = (xd * h + yd) >>> 0;
  }
  a[n++] = (h * w) >>> 0;
  const sorted = a.subarray(0, n).sort();
  // Differences between consecutive crossings are the runs; zero runs merge their neighbours.
  let p = 0;
  for (let j = 0; j < n; j++) {
    const t = sorted[j];
    sorted[j] -= p;
    p = t;
  }
  const b = new Uint32Array(n);
  let j = 0;
  m = 0;
  b[m++] = sorted[j++];
  while (j < n) {
    if (sorted[j] > 0) {
      b[m++] = sorted[j++];
    } else {
      j++;
      if (j < n) b[m - 1] += sorted[j++];
    }
  }
  return new Rle(h, w, b.slice(0, m));
}
