import { describeValue } from '@tasam/errors';
import { InvalidSegmentationError } from '../errors';
import { checkSize } from './encode';
import { type Bbox, Rle } from './rle';

const SCALE = 5;

/**
 * Rasterises one polygon [x0, y0, x1, y1, ...] on an h x w image exactly as pycocotools' frPoly (maskApi.c
 * rleFrPoly): vertices are scaled by 5 and truncated toward zero, the boundary is walked densely, and pixels
 * are filled column by column between the boundary crossings. An odd trailing value is ignored, as there.
 */
export function rleFromPolygon(polygon: ArrayLike<number>, h: number, w: number): Rle {
  checkSize(h, w, 'rleFromPolygon');
  checkCoordinates(polygon, 'polygon');
  return rasterisePolygon(polygon, Math.floor(polygon.length / 2), h, w);
}

/**
 * Rasterises a box [x, y, w, h] as pycocotools' frBbox: the polygon of its four corners.
 */
export function rleFromBbox(bbox: Bbox, h: number, w: number): Rle {
  checkSize(h, w, 'rleFromBbox');
  if (!Array.isArray(bbox) || bbox.length !== 4) {
    throw new InvalidSegmentationError(`box ${describeValue(bbox)}`, 'expected [x, y, width, height]');
  }
  checkCoordinates(bbox, 'box');
  const [xs, ys] = bbox;
  const xe = xs + bbox[2];
  const ye = ys + bbox[3];
  return rasterisePolygon([xs, ys, xs, ye, xe, ye, xe, ys], 4, h, w);
}

function checkCoordinates(values: ArrayLike<number>, what: string): void {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new InvalidSegmentationError(`${what} ${describeValue(values)}`, 'expected an array of numbers');
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidSegmentationError(
        `${what} ${describeValue(values)}`,
        `value ${i} is ${describeValue(v)}`,
      );
    }
  }
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
