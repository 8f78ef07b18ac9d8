import { InvalidRleError, InvalidSegmentationError } from '../errors';
import { Rle } from './rle';

export type PixelOrder = 'row-major' | 'column-major';

// One growing scratch buffer for run lengths: encode needs at most h*w+1 counts, and JS is single-threaded,
// so sharing it avoids a large allocation per call. The result is copied out at its exact length.
let scratch = new Uint32Array(1024);

function scratchFor(pixels: number): Uint32Array {
  if (scratch.length < pixels + 1) scratch = new Uint32Array(Math.max(pixels + 1, scratch.length * 2));
  return scratch;
}

/**
 * Run-length encodes a binary mask (nonzero = foreground) of h x w pixels, like pycocotools `encode`.
 * `order` says how `mask` is laid out: 'row-major' (index y * w + x, the default, as images are) or
 * 'column-major' (index x * h + y, as numpy Fortran arrays are).
 */
export function encodeMask(mask: Uint8Array, h: number, w: number, order: PixelOrder = 'row-major'): Rle {
  checkSize(h, w, 'encodeMask');
  const pixels = h * w;
  if (mask.length !== pixels) {
    throw new InvalidSegmentationError(
      `mask of length ${mask.length}`,
      `expected h * w = ${h} * ${w} = ${pixels} pixels`,
    );
  }
  const counts = scratchFor(pixels);
  let k = 0;
  let previous = 0;
  let run = 0;
  if (order === 'column-major') {
    for (let i = 0; i < pixels; i++) {
      const v = mask[i] !== 0 ? 1 : 0;
      if (v !== previous) {
        counts[k++] = run;
        run = 0;
        previous = v;
      }
      run++;
    }
  } else {
    for (let x = 0; x < w; x++) {
      for (let i = x; i < pixels; i += w) {
        const v = mask[i] !== 0 ? 1 : 0;
        if (v !== previous) {
          counts[k++] = run;
          run = 0;
          previous = v;
        }
        run++;
      }
    }
  }
  counts[k++] = run;
  return new Rle(h, w, counts.slice(0, k));
}

/**
 * Decodes an RLE into a 0/1 mask of h * w bytes in the given order (default row-major: y * w + x).
 * Runs that overrun the image raise, as pycocotools' decode does; runs that fall short leave background.
 */
export function decodeMask(rle: Rle, order: PixelOrder = 'row-major'): Uint8Array {
  const { h, w, counts } = rle;
  const pixels = h * w;
  const mask = new Uint8Array(pixels);
  let total = 0;
  for (let j = 0; j < counts.length; j++) total += counts[j];
  if (total > pixels) {
    throw new InvalidRleError(
      `of size [${h}, ${w}]`,
      `invalid RLE mask representation: runs cover ${total} pixels, the image has ${pixels}`,
    );
  }
  let start = 0;
  if (order === 'column-major') {
    for (let j = 0; j < counts.length; j++) {
      const end = start + counts[j];
      if (j % 2 === 1) mask.fill(1, start, end);
      start = end;
    }
    return mask;
  }
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j];
    if (j % 2 === 1 && c > 0) {
      // Walk the run down its columns: y advances, and wraps to the next column at the bottom.
      let x = Math.floor(start / h);
      let y = start - x * h;
      let index = y * w + x;
      for (let n = 0; n < c; n++) {
        mask[index] = 1;
        index += w;
        if (++y === h) {
          y = 0;
          index = ++x;
        }
      }
    }
    start += c;
  }
  return mask;
}

export function checkSize(h: number, w: number, where: string): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0) {
    throw new InvalidSegmentationError(
      `${where} size [${h}, ${w}]`,
      'height and width must be non-negative integers',
    );
  }
}
