import { SampleOptionsError } from '../errors';
import { type Rle, rleArea, rleToBbox } from '../mask';
import { squaredDistanceToBackground } from './distance-transform';
import type { SeededRandom } from './seeded-random';

/** A pixel of the original image: x = column, y = row (integers). */
export interface Pixel {
  x: number;
  y: number;
}

/** A box by its corners in original-image pixels: x0, y0, x1, y1 (SAM's box prompt). */
export type CornerBox = [number, number, number, number];

/**
 * The center-most interior pixel of a mask: the maximum of the Euclidean distance to the background, with
 * everything outside the image counting as background (the standard 1-click protocol, as SAM's and RITM's
 * evaluations pad the mask by one pixel). Ties go to the first pixel in row-major order. Works on the mask's
 * box plus a one-pixel ring (exact: any background outside is farther than the ring). Undefined when empty.
 */
export function centerMostPoint(rle: Rle): Pixel | undefined {
  if (rleArea(rle) === 0) return undefined;
  const [bx, by, bw, bh] = rleToBbox(rle);
  const cw = bw + 2;
  const ch = bh + 2;
  const crop = new Uint8Array(cw * ch);
  // Paint the foreground runs that fall in the box into the crop (row-major, offset by the ring).
  const { h, counts } = rle;
  let start = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j];
    if (j % 2 === 1) {
      for (let p = start; p < start + c; p++) {
        const x = Math.floor(p / h);
        const y = p - x * h;
        crop[(y - by + 1) * cw + (x - bx + 1)] = 1;
      }
    }
    start += c;
  }
  const distance = squaredDistanceToBackground(crop, ch, cw);
  let best = -1;
  let bestIndex = 0;
  for (let i = 0; i < distance.length; i++) {
    if (distance[i] > best) {
      best = distance[i];
      bestIndex = i;
    }
  }
  const cy = Math.floor(bestIndex / cw);
  return { x: bestIndex - cy * cw - 1 + bx, y: cy - 1 + by };
}

/**
 * k distinct foreground pixels drawn uniformly (all of them when the mask has fewer than k), in column-major
 * order. Walks the runs once; no decoding.
 */
export function randomInteriorPoints(rle: Rle, k: number, random: SeededRandom): Pixel[] {
  checkCount(k, 'randomInteriorPoints k');
  return pixelsAtRanks(rle, random.distinct(k, rleArea(rle)), 1);
}

/**
 * k distinct background pixels of a mask drawn uniformly: negative clicks outside it. Pass the union of the
 * category's masks (crowd regions included) so negatives never fall on the category.
 */
export function randomExteriorPoints(rle: Rle, k: number, random: SeededRandom): Pixel[] {
  checkCount(k, 'randomExteriorPoints k');
  return pixelsAtRanks(rle, random.distinct(k, rle.h * rle.w - rleArea(rle)), 0);
}

/** The box of a mask by its corners [x, y, x + w, y + h] (COCO box to SAM box); undefined when empty. */
export function boxFromRle(rle: Rle): CornerBox | undefined {
  if (rleArea(rle) === 0) return undefined;
  const [x, y, w, h] = rleToBbox(rle);
  return [x, y, x + w, y + h];
}

/**
 * A box made noisy as SAM's own training does for box prompts: each coordinate moves by Gaussian noise of
 * standard deviation `scale` (default 10%) of the box's side, at most `maxShift` (default 20) pixels, then the
 * box is clipped to the w x h image (and kept at least one pixel wide and high).
 */
export function jitterBox(
  box: CornerBox,
  w: number,
  h: number,
  random: SeededRandom,
  scale = 0.1,
  maxShift = 20,
): CornerBox {
  const [x0, y0, x1, y1] = box;
  const shift = (side: number) => {
    // Box-Muller: one standard normal draw from two uniforms.
    const g = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    return Math.max(-maxShift, Math.min(maxShift, g * scale * side));
  };
  const bw = x1 - x0;
  const bh = y1 - y0;
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const a = clamp(x0 + shift(bw), w - 1);
  const b = clamp(y0 + shift(bh), h - 1);
  const c = clamp(x1 + shift(bw), w);
  const d = clamp(y1 + shift(bh), h);
  return [a, b, Math.max(c, a + 1), Math.max(d, b + 1)];
}

/** Pixels at the given increasing ranks among the pixels of runs with the given parity (1 fg, 0 bg). */
function pixelsAtRanks(rle: Rle, ranks: readonly number[], parity: 0 | 1): Pixel[] {
  const { h, counts } = rle;
  const out: Pixel[] = [];
  let seen = 0; // pixels of the wanted value before the current run
  let start = 0; // first pixel of the current run
  let r = 0;
  for (let j = 0; j < counts.length && r < ranks.length; j++) {
    const c = counts[j];
    if (j % 2 === parity) {
      while (r < ranks.length && ranks[r] < seen + c) {
        const p = start + (ranks[r] - seen);
        const x = Math.floor(p / h);
        out.push({ x, y: p - x * h });
        r++;
      }
      seen += c;
    }
    start += c;
  }
  // Runs that fall short of h * w leave background at the end.
  if (parity === 0) {
    while (r < ranks.length) {
      const p = start + (ranks[r] - seen);
      const x = Math.floor(p / h);
      out.push({ x, y: p - x * h });
      r++;
    }
  }
  return out;
}

function checkCount(k: number, name: string): void {
  if (!Number.isInteger(k) || k < 0) throw new SampleOptionsError(name, `expected an integer >= 0, got ${k}`);
}
