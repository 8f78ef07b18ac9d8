import { type Rle, rleToBbox } from '@tasam/coco-data';
import type { MaskSource } from './pair-input';

/**
 * The masks of one (image, category) pair as foreground intervals [start, end) of column-major pixel
 * indices (x * h + y), in one growing Int32Array reused from pair to pair: what COCOeval needs of a mask
 * (area, box, intersection with another) without an Rle object, a counts array or a merge per mask.
 *
 * Every number is the one pycocotools (through @tasam/coco-data's maskApi port) computes: areas, boxes and
 * IoU depend only on the set of foreground pixels, which these intervals hold exactly; compressed counts
 * strings and polygons (frPoly) are turned into intervals by the same arithmetic. Anything unusual is left
 * to @tasam/coco-data: `add` returns false for masks whose runs do not cover h * w pixels (pycocotools
 * loops forever on those when their boxes overlap) or whose image has 2^31 pixels or more, and the caller
 * then evaluates the pair with the Rle API, which also raises the errors for invalid masks.
 */
export class MaskRuns {
  /** [start, end) pairs, interleaved. */
  runs = new Int32Array(1 << 16);
  /** Number of masks added since reset(). */
  count = 0;
  /** Per mask: first interval, number of intervals, area (pixels), height, width. */
  first = new Int32Array(256);
  length = new Int32Array(256);
  area = new Float64Array(256);
  height = new Int32Array(256);
  width = new Int32Array(256);
  /** Per mask [x, y, w, h] (maskApi rleToBbox). */
  box = new Float64Array(256 * 4);
  private used = 0;
  // polygon scratch
  private xs = new Int32Array(64);
  private ys = new Int32Array(64);
  private crossings = new Int32Array(1024);
  private columns = new Int32Array(1024);
  private spare = new Int32Array(1024);
  private sorted = new Int32Array(1024);
  private buckets = new Int32Array(1024);

  reset(): void {
    this.count = 0;
    this.used = 0;
  }

  /**
   * Adds a mask (COCO.annToRLE of the segmentation on an h x w image). Returns false when the pair needs the
   * Rle path (see the class); throws what @tasam/coco-data throws for a mask it rejects.
   */
  add(source: MaskSource, h: number, w: number, exact: (source: MaskSource) => Rle): boolean {
    const slot = this.count;
    if (slot === this.first.length) this.growSlots();
    const start = this.used;
    let ok: boolean;
    let mh = h;
    let mw = w;
    if (isCompressed(source)) {
      mh = source.size[0];
      mw = source.size[1];
      ok = fitsInt32(mh, mw) && this.decodeCounts(source.counts, mh * mw);
      if (!ok) {
        this.used = start;
        return this.addRle(exact(source), slot);
      }
    } else if (isPolygonList(source)) {
      if (!fitsInt32(h, w)) return this.addRle(exact(source), slot);
      const polygons = Array.isArray(source)
        ? (source as ArrayLike<number>[])
        : (source as { polygons: Float64Array[] }).polygons;
      ok = this.addPolygons(polygons, h, w);
      if (!ok) {
        this.used = start;
        return this.addRle(exact(source), slot);
      }
    } else return this.addRle(exact(source), slot);
    this.finish(slot, start, mh, mw, source, exact);
    return true;
  }

  /** Adds an Rle built by @tasam/coco-data; false when its runs do not cover h * w pixels or it is too big. */
  addRle(rle: Rle, slot = this.count): boolean {
    const { h, w, counts } = rle;
    if (!fitsInt32(h, w)) return false;
    const start = this.used;
    let pos = 0;
    for (let j = 0; j < counts.length; j++) {
      const c = counts[j];
      if (j & 1 && c > 0) this.push(pos, pos + c);
      pos += c;
      if (pos > h * w) break;
    }
    if (pos !== h * w) {
      this.used = start;
      return false;
    }
    this.finish(slot, start, h, w, rle, null);
    return true;
  }

  /** Intersection (pixels) of masks a and b, both h x w, within columns [x0, x1). */
  intersection(a: number, b: number, x0: number, x1: number): number {
    const runs = this.runs;
    const h = this.height[a];
    const lo = x0 * h;
    const hi = x1 * h;
    let i = seek(runs, this.first[a], this.first[a] + this.length[a], lo);
    const iEnd = this.first[a] + this.length[a];
    let j = seek(runs, this.first[b], this.first[b] + this.length[b], lo);
    const jEnd = this.first[b] + this.length[b];
    let inter = 0;
    while (i < iEnd && j < jEnd) {
      const as = runs[i * 2];
      const bs = runs[j * 2];
      if (as >= hi || bs >= hi) break;
      const ae = runs[i * 2 + 1];
      const be = runs[j * 2 + 1];
      const s = Math.max(as, bs);
      const e = Math.min(ae, be);
      if (e > s) inter += e - s;
      if (ae < be) i++;
      else j++;
    }
    return inter;
  }

  private finish(
    slot: number,
    start: number,
    h: number,
    w: number,
    source: MaskSource | Rle,
    exact: ((source: MaskSource) => Rle) | null,
  ): void {
    const n = (this.used - start) >> 1;
    this.first[slot] = start >> 1;
    this.length[slot] = n;
    this.height[slot] = h;
    this.width[slot] = w;
    const runs = this.runs;
    const box = this.box;
    const o = slot * 4;
    let area = 0;
    // maskApi rleToBbox over the foreground runs: the tight box of the foreground pixels. x from the first
    // and last run; y from each run's start row, or the whole height once a run spans two columns.
    let ys = h;
    let ye = 0;
    let full = false;
    for (let i = start; i < this.used; i += 2) {
      const s = runs[i];
      const length = runs[i + 1] - s;
      area += length;
      if (full) continue;
      const y0 = s % h;
      if (y0 + length > h) {
        ys = 0;
        ye = h - 1;
        full = true;
        continue;
      }
      if (y0 < ys) ys = y0;
      if (y0 + length - 1 > ye) ye = y0 + length - 1;
      full = ys === 0 && ye === h - 1;
    }
    this.area[slot] = area;
    if (area === 0) {
      // No foreground: maskApi's box depends on how many counts the Rle has ([0,0,0,0] or a uint wrap).
      const rle = exact ? exact(source as MaskSource) : (source as Rle);
      const [bx, by, bw, bh] = rleToBbox(rle);
      box[o] = bx;
      box[o + 1] = by;
      box[o + 2] = bw;
      box[o + 3] = bh;
    } else {
      const s0 = runs[start];
      const xs = (s0 - (s0 % h)) / h;
      const last = runs[this.used - 1] - 1;
      const xe = (last - (last % h)) / h;
      box[o] = xs;
      box[o + 1] = ys;
      box[o + 2] = (xe - xs + 1) >>> 0;
      box[o + 3] = (ye - ys + 1) >>> 0;
    }
    this.count = slot + 1;
  }

  private push(s: number, e: number): void {
    if (this.used + 2 > this.runs.length) this.runs = grow(this.runs, this.used + 2);
    this.runs[this.used] = s;
    this.runs[this.used + 1] = e;
    this.used += 2;
  }

  private growSlots(): void {
    const n = this.first.length * 2;
    this.first = grow(this.first, n);
    this.length = grow(this.length, n);
    this.area = grow(this.area, n);
    this.height = grow(this.height, n);
    this.width = grow(this.width, n);
    this.box = grow(this.box, n * 4);
  }

  /**
   * maskApi rleFrString straight into intervals. False (nothing kept) for anything @tasam/coco-data's
   * decompressRle would reject or read differently, and for runs that do not add up to `pixels`.
   */
  private decodeCounts(s: string, pixels: number): boolean {
    const n = s.length;
    let p = 0;
    let m = 0;
    let pos = 0;
    let before = 0; // counts[m - 2]
    let previous = 0; // counts[m - 1]
    let runs = this.runs;
    let used = this.used;
    while (p < n) {
      // up to 6 characters (30 bits) per count; a longer one goes to the Rle path
      let x = 0;
      let k = 0;
      let c = 0;
      do {
        if (p >= n || k === 6) return false;
        c = s.charCodeAt(p++) - 48;
        if (c < 0 || c > 63) return false;
        x |= (c & 0x1f) << (5 * k);
        k++;
      } while (c & 0x20);
      if (c & 0x10) x -= 1 << (5 * k);
      if (m > 2) x += before;
      if (x < 0 || x > 0xffffffff) return false;
      if (m & 1 && x > 0) {
        if (used + 2 > runs.length) {
          this.used = used;
          this.runs = runs = grow(runs, used + 2);
        }
        runs[used] = pos;
        runs[used + 1] = pos + x;
        used += 2;
      }
      pos += x;
      if (pos > pixels) return false;
      before = previous;
      previous = x;
      m++;
    }
    this.used = used;
    return pos === pixels;
  }

  /** frPyObjects + merge for a list of polygons: the union of each polygon's frPoly intervals. */
  private addPolygons(polygons: ArrayLike<ArrayLike<number>>, h: number, w: number): boolean {
    const start = this.used;
    for (let i = 0; i < polygons.length; i++) {
      const at = this.used;
      const polygon = polygons[i];
      if (!this.rasterise(polygon, h, w)) return false;
      if (i > 0 && this.used > at && at > start) this.unite(start, at);
    }
    return true;
  }

  /** Replaces the sorted intervals [start, middle) and [middle, used) by their union. */
  private unite(start: number, middle: number): void {
    const end = this.used;
    const runs = this.runs;
    if (this.spare.length < end - start)
      this.spare = new Int32Array(Math.max(end - start, this.spare.length * 2));
    const out = this.spare;
    let i = start;
    let j = middle;
    let n = 0;
    while (i < middle || j < end) {
      let s: number;
      let e: number;
      if (j >= end || (i < middle && runs[i] <= runs[j])) {
        s = runs[i];
        e = runs[i + 1];
        i += 2;
      } else {
        s = runs[j];
        e = runs[j + 1];
        j += 2;
      }
      if (n > 0 && s <= out[n - 1]) {
        if (e > out[n - 1]) out[n - 1] = e;
      } else {
        out[n] = s;
        out[n + 1] = e;
        n += 2;
      }
    }
    runs.set(out.subarray(0, n), start);
    this.used = start + n;
  }

  /**
   * A boundary step from (pu, pv) to (u, v), |u - pu| = 1, on the 5x grid: where it crosses a pixel column
   * centre, records the pixel index (x * h + y) at which the foreground starts or stops there, and its
   * column. Both depend only on the lower u and the lower v of the two points.
   */
  private crossing(u: number, v: number, pu: number, pv: number, h: number, w: number, n: number): number {
    // The C code: xd = (x + .5) / 5 - .5 with x the lower column; a crossing when xd is a whole number in
    // [0, w - 1]. On int32 grid coordinates (x + .5) / 5 - .5 is exactly (x - 2) / 5 when that is whole, and
    // never whole otherwise: x is 2 mod 5.
    const x = u < pu ? u : u - 1;
    if ((x - 2) % SCALE !== 0 || x < 2) return n;
    const q = (x - 2) / SCALE;
    if (q > w - 1) return n;
    return this.crossColumn(q, Math.min(v, pv), h, n);
  }

  /**
   * maskApi rleFrPoly (as @tasam/coco-data's rleFromPolygon): vertices scaled by 5 and truncated, the
   * boundary walked densely, the column crossings sorted; appends the foreground intervals. False, with
   * nothing appended, for a value that is not a number within ±MAX_COORDINATE and for a boundary of more
   * than MAX_POINTS points: the Rle path then rasterises or rejects it.
   *
   * The dense points are not all made: a crossing needs a step between columns whose lower column is 2 mod 5,
   * so along an edge that moves a column per point (|dx| >= |dy|) only every fifth step is looked at, and
   * along a steep one (|dy| > |dx|), where the column u(t) = (int)(xs + s * t + .5) changes every 1/|s|
   * points, only the steps where it leaves or enters such a column, found by estimate and checked exactly.
   */
  private rasterise(xy: ArrayLike<number>, h: number, w: number): boolean {
    for (let i = 0; i < xy.length; i++) {
      const v = xy[i];
      if (typeof v !== 'number' || !(Math.abs(v) <= MAX_COORDINATE)) return false;
    }
    const k = Math.floor(xy.length / 2);
    if (k === 0) return true;
    if (this.xs.length < k + 1) {
      this.xs = new Int32Array(2 * (k + 1));
      this.ys = new Int32Array(2 * (k + 1));
    }
    const x = this.xs;
    const y = this.ys;
    // (int)(5 * x + .5): Math.trunc stored in an Int32Array is ToInt32, which is what | 0 does.
    for (let j = 0; j < k; j++) x[j] = (SCALE * xy[j * 2] + 0.5) | 0;
    x[k] = x[0];
    for (let j = 0; j < k; j++) y[j] = (SCALE * xy[j * 2 + 1] + 0.5) | 0;
    y[k] = y[0];
    let points = 0;
    for (let j = 0; j < k; j++) points += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
    if (points + k + 1 > MAX_POINTS) return false;
    if (this.crossings.length < points + 1) {
      this.crossings = new Int32Array(Math.max(points + 1, 2 * this.crossings.length));
      this.columns = new Int32Array(this.crossings.length);
    }
    let n = 0;
    let pu = 0;
    let pv = 0;
    let first = true;
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
      const steep = dx < dy;
      const span = steep ? dy : dx;
      const s = steep ? (xe - xs) / dy : (ye - ys) / dx;
      // The edge's points are d = 0..span at t = flip ? span - d : d, each compared with the one before it
      // (for d = 0, the last point of the previous edge). Points at t and t + 1 make the same crossing in
      // either order, so the steps inside an edge are taken in t order.
      if (span > 1) {
        const tFirst = flip ? span : 0;
        const tLast = span - tFirst;
        const uFirst = steep ? (xs + s * tFirst + 0.5) | 0 : tFirst + xs;
        const vFirst = steep ? tFirst + ys : (ys + s * tFirst + 0.5) | 0;
        if (!first && uFirst !== pu) n = this.crossing(uFirst, vFirst, pu, pv, h, w, n);
        n = steep ? this.steepSteps(xs, ys, s, span, h, w, n) : this.flatSteps(xs, ys, s, span, h, w, n);
        pu = steep ? (xs + s * tLast + 0.5) | 0 : tLast + xs;
        pv = steep ? tLast + ys : (ys + s * tLast + 0.5) | 0;
        first = false;
        continue;
      }
      for (let d = 0; d <= span; d++) {
        const t = flip ? span - d : d;
        let u: number;
        let v: number;
        if (steep) {
          v = t + ys;
          u = (xs + s * t + 0.5) | 0;
        } else {
          u = t + xs;
          v = (ys + s * t + 0.5) | 0;
        }
        if (!first && u !== pu) n = this.crossing(u, v, pu, pv, h, w, n);
        first = false;
        pu = u;
        pv = v;
      }
    }
    const sorted = this.sortCrossings(n);
    sorted[n++] = h * w; // no crossing is past the last pixel
    // Runs alternate background/foreground from 0: the foreground is [a0, a1), [a2, a3), ...
    for (let i = 0; i + 1 < n; i += 2) if (sorted[i + 1] > sorted[i]) this.push(sorted[i], sorted[i + 1]);
    return true;
  }

  /**
   * Records the crossing of pixel column q (its centre 5q + 2 on the grid) by a step whose lower row is v:
   * what crossing() computes once it knows the column.
   */
  private crossColumn(q: number, v: number, h: number, n: number): number {
    // The C code: yd = ceil(min((v + .5) / 5 - .5, h)) clamped at 0; (v + .5) / 5 - .5 is (v - 2) / 5 up
    // to rounding that never crosses a whole number, so in integers: ceil((v - 2) / 5) within [0, h].
    const y = v - 2;
    const yd = y <= 0 ? 0 : y >= SCALE * h ? h : ((y + SCALE - 1) / SCALE) | 0;
    this.crossings[n] = q * h + yd;
    this.columns[n] = q;
    return n + 1;
  }

  /**
   * Steps t -> t + 1 of an edge with u = xs + t, v = (int)(ys + s * t + .5): only those from a column
   * centre, xs + t = 5q + 2, of a column q of the image.
   */
  private flatSteps(
    xs: number,
    ys: number,
    s: number,
    span: number,
    h: number,
    w: number,
    n: number,
  ): number {
    const first = xs <= 2 ? 2 - xs : mod5(2 - xs);
    const last = Math.min(span - 1, SCALE * w - 3 - xs);
    for (let t = first; t <= last; t += 5) {
      const v0 = (ys + s * t + 0.5) | 0;
      const v1 = (ys + s * (t + 1) + 0.5) | 0;
      n = this.crossColumn((xs + t - 2) / SCALE, Math.min(v0, v1), h, n);
    }
    return n;
  }

  /**
   * Steps t -> t + 1 of a steep edge, v = ys + t, u(t) = (int)(xs + s * t + .5) with |s| < 1: u is monotone
   * in t and moves by at most one column a step, so each grid column c from min(u) to max(u) - 1 is left
   * (or entered) at one step; only column centres, c = 5q + 2 for a column q of the image, can cross. The
   * step is estimated from the line, then found with u itself; if u ever does not behave (rounding on
   * edges of millions of points), every step is walked instead.
   */
  private steepSteps(
    xs: number,
    ys: number,
    s: number,
    span: number,
    h: number,
    w: number,
    n: number,
  ): number {
    const uAt = (t: number) => (xs + s * t + 0.5) | 0;
    const u0 = uAt(0);
    const u1 = uAt(span);
    if (u0 === u1) return n;
    const up = u1 > u0;
    const lowest = Math.max(up ? u0 : u1, 2);
    const highest = Math.min((up ? u1 : u0) - 1, SCALE * (w - 1) + 2);
    const inverse = 1 / s;
    const before = n;
    for (let c = lowest + mod5(2 - lowest); c <= highest; c += 5) {
      // the step t -> t + 1 with {u(t), u(t + 1)} = {c, c + 1}: the last t on the u0 side of c + 1/2
      const below = up ? c : c + 1;
      const above = up ? c + 1 : c;
      let t = Math.floor((c + 0.5 - xs) * inverse);
      if (!(t >= 0)) t = 0;
      if (t > span - 1) t = span - 1;
      if (uAt(t) !== below || uAt(t + 1) !== above) {
        if (up) {
          while (t > 0 && uAt(t) > c) t--;
          while (t < span - 1 && uAt(t + 1) <= c) t++;
        } else {
          while (t > 0 && uAt(t) < c + 1) t--;
          while (t < span - 1 && uAt(t + 1) >= c + 1) t++;
        }
        if (uAt(t) !== below || uAt(t + 1) !== above)
          return this.everySteepStep(xs, ys, s, span, h, w, before);
      }
      n = this.crossColumn((c - 2) / SCALE, ys + t, h, n);
    }
    return n;
  }

  private everySteepStep(
    xs: number,
    ys: number,
    s: number,
    span: number,
    h: number,
    w: number,
    n: number,
  ): number {
    let pu = (xs + s * 0 + 0.5) | 0;
    for (let t = 1; t <= span; t++) {
      const u = (xs + s * t + 0.5) | 0;
      if (u !== pu) n = this.crossing(u, ys + t, pu, ys + t - 1, h, w, n);
      pu = u;
    }
    return n;
  }

  /**
   * The first n crossings in ascending order, in `sorted`: counted into buckets by column (a crossing at the
   * bottom of column x, x * h + h, equals the top of column x + 1, so the buckets are in order), then an
   * insertion sort that only has the few crossings of each column to order.
   */
  private sortCrossings(n: number): Int32Array {
    const a = this.crossings;
    const columns = this.columns;
    if (this.sorted.length < n + 1) this.sorted = new Int32Array(this.crossings.length);
    const out = this.sorted;
    if (n === 0) return out;
    let lo = columns[0];
    let hi = columns[0];
    for (let i = 1; i < n; i++) {
      const c = columns[i];
      if (c < lo) lo = c;
      else if (c > hi) hi = c;
    }
    const buckets = hi - lo + 1;
    if (this.buckets.length < buckets + 1) this.buckets = new Int32Array(2 * (buckets + 1));
    const start = this.buckets;
    start.fill(0, 0, buckets + 1);
    for (let i = 0; i < n; i++) start[columns[i] - lo + 1]++;
    for (let b = 1; b <= buckets; b++) start[b] += start[b - 1];
    for (let i = 0; i < n; i++) out[start[columns[i] - lo]++] = a[i];
    for (let i = 1; i < n; i++) {
      const v = out[i];
      let j = i - 1;
      while (j >= 0 && out[j] > v) {
        out[j + 1] = out[j];
        j--;
      }
      out[j + 1] = v;
    }
    return out;
  }
}

const SCALE = 5;
/**
 * Polygons with a coordinate beyond this, or a boundary of more points than MAX_POINTS, take the Rle path:
 * @tasam/coco-data decides what to do with them (pycocotools' int32 grid ends near 429,496,729; the crossings
 * of such a polygon could fill gigabytes).
 */
const MAX_COORDINATE = 4e8;
const MAX_POINTS = 2 ** 24;

/** x mod 5 in 0..4, for negative x too. */
function mod5(x: number): number {
  return ((x % 5) + 5) % 5;
}

function fitsInt32(h: number, w: number): boolean {
  return Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0 && h * w < 2 ** 31;
}

function isCompressed(source: MaskSource): source is { size: [number, number]; counts: string } {
  if (typeof source !== 'object' || source === null || Array.isArray(source) || !('counts' in source))
    return false;
  const { size, counts } = source as { size: unknown; counts: unknown };
  return typeof counts === 'string' && Array.isArray(size) && size.length === 2;
}

/**
 * Polygons that take frPyObjects' polygon path: a non-empty list of arrays (or packed Float64Arrays), the
 * first with more than 4 values (rasterise checks that every value is a finite number).
 */
function isPolygonList(source: MaskSource): boolean {
  let polygons: ArrayLike<unknown>;
  const packed = !Array.isArray(source);
  if (!packed) polygons = source;
  else if (typeof source === 'object' && source !== null && 'polygons' in source) polygons = source.polygons;
  else return false;
  if (polygons.length === 0) return false;
  for (let i = 0; i < polygons.length; i++) {
    const polygon = polygons[i] as ArrayLike<unknown>;
    if (packed ? !(polygon instanceof Float64Array) : !Array.isArray(polygon)) return false;
    if (i === 0 && polygon.length <= 4) return false;
  }
  return true;
}

/** First interval index in [from, to) whose end is past `pos`. */
function seek(runs: Int32Array, from: number, to: number, pos: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (runs[mid * 2 + 1] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function grow<T extends Int32Array | Float64Array>(array: T, atLeast: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(atLeast, array.length * 2));
  next.set(array);
  return next;
}

/**
 * maskApi rleIou for the masks of a pair: detections are masks 0..D-1, GT masks D..D+G-1; writes [D x G]
 * row-major into `out`. Boxes that do not overlap give 0 (as bbIou), masks of different sizes whose boxes
 * overlap -1, a crowd GT divides by the detection's area; the intersection is counted only over the columns
 * where the two boxes overlap, which is where all of it lies.
 */
export function maskRunsIou(
  masks: MaskRuns,
  D: number,
  G: number,
  crowd: ArrayLike<number>,
  out: Float64Array,
): void {
  const box = masks.box;
  const area = masks.area;
  for (let g = 0; g < G; g++) {
    const b = D + g;
    const gx = box[b * 4];
    const gy = box[b * 4 + 1];
    const gw = box[b * 4 + 2];
    const gh = box[b * 4 + 3];
    const ga = gw * gh;
    const isCrowd = crowd[g] !== 0;
    for (let d = 0; d < D; d++) {
      const dx = box[d * 4];
      const dy = box[d * 4 + 1];
      const dw = box[d * 4 + 2];
      const dh = box[d * 4 + 3];
      const da = dw * dh;
      const o = d * G + g;
      out[o] = 0;
      // bbIou, in the C code's operation order
      const iw = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (iw <= 0) continue;
      const ih = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (ih <= 0) continue;
      const boxIou = (iw * ih) / (isCrowd ? da : da + ga - iw * ih);
      if (!(boxIou > 0)) {
        out[o] = boxIou;
        continue;
      }
      if (masks.height[d] !== masks.height[b] || masks.width[d] !== masks.width[b]) {
        out[o] = -1;
        continue;
      }
      const areaD = area[d];
      const areaG = area[b];
      const x0 = Math.max(dx, gx);
      const inter = areaD === 0 || areaG === 0 ? 0 : masks.intersection(d, b, x0, x0 + iw);
      out[o] = inter === 0 ? 0 : inter / (isCrowd ? areaD : areaD + areaG - inter);
    }
  }
}
