import { describeValue } from '@tasam/errors';
import { InvalidSegmentationError } from '../errors';
import { checkSize } from './encode';
import { type Bbox, MAX_COUNT, Rle } from './rle';

const SCALE = 5;

/**
 * Rasterises one polygon [x0, y0, x1, y1, ...] on an h x w image exactly as pycocotools' frPoly (maskApi.c
 * rleFrPoly): vertices are scaled by 5 and truncated toward zero, the boundary's crossings of the pixel
 * column centres are found, and pixels are filled column by column between them. An odd trailing value is
 * ignored, as there. Coordinates beyond ±MAX_POLYGON_COORDINATE (where C's int cast is undefined) and
 * polygons crossing more than MAX_POLYGON_CROSSINGS columns raise InvalidSegmentationError.
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
  checkCoordinates([xs, ys, xe, ye], `box ${describeValue(bbox)} with corners`);
  return rasterisePolygon([xs, ys, xs, ye, xe, ye, xe, ys], 4, h, w);
}

/**
 * Largest |coordinate| pycocotools can rasterise: its vertices are (int)(5 * x + .5), and beyond the int32
 * range that cast is undefined behaviour in C.
 */
export const MAX_POLYGON_COORDINATE = Math.floor((2 ** 31 - 1) / SCALE) - 1;

/**
 * Most column crossings a polygon may produce (each one 8 bytes while rasterising): 2^24 is far beyond any
 * real outline (a 640 x 480 image's border crosses 1 280 columns) and bounds the memory a short polygon
 * with far-away vertices on a huge image could claim.
 */
export const MAX_POLYGON_CROSSINGS = 2 ** 24;

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
    if (Math.abs(v) > MAX_POLYGON_COORDINATE) {
      throw new InvalidSegmentationError(
        `${what} ${describeValue(values)}`,
        `value ${i} is ${v}, beyond the ±${MAX_POLYGON_COORDINATE} pycocotools can rasterise`,
      );
    }
  }
}

/**
 * pycocotools' rleFrPoly without its dense boundary: the C code stores every point of the boundary on the 5x
 * grid (memory and time grow with the distance between vertices, even far outside the image), then keeps
 * only the pairs of consecutive points that step across a pixel column's centre. Here each edge's points are
 * computed by the same formulas, on demand: along an edge the column coordinate is monotone, so the one pair
 * that steps onto each column is found from the line's equation and confirmed with those formulas. Same
 * crossings, same mask; work and memory grow with the crossings (at most the columns each edge spans inside
 * the image), not with the coordinates.
 */
function rasterisePolygon(xy: ArrayLike<number>, k: number, h: number, w: number): Rle {
  // No vertices, or no pixels to fill (where the C code would compute garbage): an empty mask.
  if (k === 0 || h === 0 || w === 0) return Rle.empty(h, w);
  if (h * w > MAX_COUNT) {
    throw new InvalidSegmentationError(
      `polygon on an image of size [${h}, ${w}]`,
      `h * w = ${h * w} pixels do not fit the uint32 counts of an RLE`,
    );
  }
  // Vertices on the 5x grid, truncated toward zero as C's (int) cast does (checkCoordinates keeps them in
  // the int32 range).
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) x[j] = Math.trunc(SCALE * xy[j * 2] + 0.5);
  x[k] = x[0];
  for (let j = 0; j < k; j++) y[j] = Math.trunc(SCALE * xy[j * 2 + 1] + 0.5);
  y[k] = y[0];
  const edges: Edge[] = [];
  let capacity = 1; // the h * w sentinel
  for (let j = 0; j < k; j++) {
    const edge = new Edge(x[j], y[j], x[j + 1], y[j + 1]);
    edges.push(edge);
    capacity += 1 + edge.columnCount(w); // the pair joining it to the previous edge, and its own
  }
  if (capacity > MAX_POLYGON_CROSSINGS) {
    throw new InvalidSegmentationError(
      `polygon of ${k} points on an image of size [${h}, ${w}]`,
      `its edges cross up to ${capacity} pixel columns, more than ${MAX_POLYGON_CROSSINGS} (vertices far outside the image?)`,
    );
  }
  // Points where the boundary crosses a pixel column centre, downsampled to pixel coordinates.
  const a = new Float64Array(capacity);
  let n = 0;
  // The C code downsamples a crossing with doubles: xd = (u + .5) / 5 - .5 must be a whole number in
  // [0, w), yd = ceil((v + .5) / 5 - .5) clamped to [0, h]. On int32 grid coordinates that is exactly integer
  // arithmetic (the doubles are exact on multiples of 1/10 that far from 2^52), done here without Math calls.
  const cross = (pu: number, pv: number, u: number, v: number): void => {
    if (u === pu) return;
    const xg = (u < pu ? u : u - 1) - 2;
    if (xg < 0 || xg % SCALE !== 0) return;
    const xd = xg / SCALE;
    if (xd > w - 1) return;
    // biome-ignore lint/complexity/useMathMinMax: integer arithmetic only on the per-crossing path (see above)
    const yg = (v < pv ? v : pv) - 2;
    const yd = yg <= 0 ? 0 : yg > SCALE * h ? h : ((yg + SCALE - 1) / SCALE) >>> 0;
    // (uint)(x * (int)h + y), wrapped like the C cast.
    a[n++] = (xd * h + yd) >>> 0;
  };
  for (let j = 0; j < k; j++) {
    const edge = edges[j];
    if (j > 0) {
      const previous = edges[j - 1];
      cross(previous.u(previous.span), previous.v(previous.span), edge.u(0), edge.v(0));
    }
    edge.crossings(w, cross);
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
  let m = 0;
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

/**
 * One polygon edge as rleFrPoly walks it: `span + 1` points on the 5x grid, indexed 0..span in walk order
 * (from the edge's first vertex to its second). Along the longer axis the coordinate steps by one; the other
 * is rounded from the line through the vertices, with rleFrPoly's exact arithmetic (it starts from the lower
 * vertex of that axis, so a reversed edge computes its points from the other end).
 */
class Edge {
  readonly span: number;
  private readonly steep: boolean;
  private readonly flip: boolean;
  private readonly xs: number;
  private readonly ys: number;
  private readonly s: number;

  constructor(x0: number, y0: number, x1: number, y1: number) {
    const dx = Math.abs(x1 - x0);
    const dy = Math.abs(y0 - y1);
    this.steep = dx < dy;
    this.flip = (dx >= dy && x0 > x1) || (dx < dy && y0 > y1);
    const [xs, ys, xe, ye] = this.flip ? [x1, y1, x0, y0] : [x0, y0, x1, y1];
    this.xs = xs;
    this.ys = ys;
    this.span = this.steep ? dy : dx;
    this.s = this.steep ? (xe - xs) / dy : (ye - ys) / dx;
  }

  /**
   * Column coordinate (5x grid) of point i as the C code stores it: (int)(xs + s * t + .5) in an int array,
   * which is ToInt32 (truncation toward zero, NaN as 0), i.e. `| 0`.
   */
  u(i: number): number {
    const t = this.flip ? this.span - i : i;
    return this.steep ? (this.xs + this.s * t + 0.5) | 0 : t + this.xs;
  }

  /** Row coordinate (5x grid) of point i. */
  v(i: number): number {
    const t = this.flip ? this.span - i : i;
    return this.steep ? t + this.ys : (this.ys + this.s * t + 0.5) | 0;
  }

  /**
   * The pixel columns X (0 <= X < w) whose centre, 5X + 2 on the grid, a step of this edge may cross: a
   * step from u to u' != u crosses column (min-side) u - 1 going right, u' going left.
   */
  private columns(w: number): [number, number] {
    const u0 = this.u(0);
    const u1 = this.u(this.span);
    // Walking right, a step onto u marks u - 1; walking left, a step onto u marks u.
    const [lo, hi] = u0 <= u1 ? [u0, u1 - 1] : [u1, u0 - 1];
    return [Math.max(0, Math.ceil((lo - 2) / SCALE)), Math.min(w - 1, Math.floor((hi - 2) / SCALE))];
  }

  /** An upper bound of the crossings this edge's own steps produce. */
  columnCount(w: number): number {
    if (this.span === 0) return 0;
    const [first, last] = this.columns(w);
    return Math.max(0, last - first + 1);
  }

  /**
   * Calls `cross` with the pair of consecutive points (previous, next) that steps onto each column's centre:
   * u is monotone along the edge, so that pair ends at the first point at or past the centre.
   */
  crossings(w: number, cross: (pu: number, pv: number, u: number, v: number) => void): void {
    if (this.span === 0) return;
    const rightward = this.u(0) <= this.u(this.span);
    const [first, last] = this.columns(w);
    for (let column = first; column <= last; column++) {
      const centre = SCALE * column + 2;
      // The step that marks `centre` lands on centre + 1 going right, on centre going left.
      const target = rightward ? centre + 1 : centre;
      const i = this.firstReaching(target, rightward);
      if (this.u(i) === target) cross(this.u(i - 1), this.v(i - 1), this.u(i), this.v(i));
    }
  }

  /**
   * The first point i (1 <= i <= span) whose u is at or past `target`: from the line's estimate (exact along
   * the long axis, within a step or two across it), stepped until it is the first.
   */
  private firstReaching(target: number, rightward: boolean): number {
    const t = this.steep ? (target - 0.5 - this.xs) / this.s : target - this.xs;
    let i = this.flip ? this.span - t : t;
    i = i < 1 ? 1 : i > this.span ? this.span : i - (i % 1); // no Math calls on this path (see cross)
    const past = (k: number) => (rightward ? this.u(k) >= target : this.u(k) <= target);
    while (i > 1 && past(i - 1)) i--;
    while (i < this.span && !past(i)) i++;
    return i;
  }
}
