import { InvalidRleError, InvalidSegmentationError } from '../errors';
import { Rle } from './rle';

export type PixelOrder = 'row-major' | 'column-major';

// Growing scratch buffers, shared because JS is single-threaded: encode needs at most h*w+1 counts and, for
// row-major input, room for the column transitions; results are copied out at their exact length.
let scratchCounts: Uint32Array = new Uint32Array(1024);
let scratchX: Uint32Array = new Uint32Array(1024);
let scratchY: Uint32Array = new Uint32Array(1024);

function grow(buffer: Uint32Array, length: number): Uint32Array {
  return buffer.length >= length ? buffer : new Uint32Array(Math.max(length, buffer.length * 2));
}

/** grow, keeping the contents. */
function growKeeping(buffer: Uint32Array, length: number): Uint32Array {
  if (buffer.length >= length) return buffer;
  const bigger = grow(buffer, length);
  bigger.set(buffer);
  return bigger;
}

/** True when none of the 4 bytes of a word is zero (the classic haszero bit trick, negated). */
function allNonzero(word: number): boolean {
  return ((word - 0x01010101) & ~word & 0x80808080) === 0;
}

/** A Uint32 view of the mask's aligned words, or undefined when its offset is not 4-aligned. */
function wordsOf(mask: Uint8Array): Uint32Array | undefined {
  return mask.byteOffset % 4 === 0
    ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >>> 2)
    : undefined;
}

/**
 * Run-length encodes a binary mask (nonzero = foreground) of h x w pixels, like pycocotools `encode`.
 * `order` says how `mask` is laid out: 'row-major' (index y * w + x, the default, as images are) or
 * 'column-major' (index x * h + y, as numpy Fortran arrays are). Runs of 4 equal bytes are skipped a word at a
 * time; row-major input is read sequentially, its column transitions collected and then sorted by column.
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
  scratchCounts = grow(scratchCounts, pixels + 1);
  const k = order === 'column-major' ? encodeColumnMajor(mask, pixels) : encodeRowMajor(mask, h, w);
  return new Rle(h, w, scratchCounts.slice(0, k));
}

function encodeColumnMajor(mask: Uint8Array, pixels: number): number {
  const counts = scratchCounts;
  const words = wordsOf(mask);
  const wordEnd = words ? words.length * 4 : 0;
  let k = 0;
  let previous = 0;
  let run = 0;
  let i = 0;
  while (i < pixels) {
    if (i < wordEnd && (i & 3) === 0) {
      const word = words![i >>> 2];
      if (previous === 0 ? word === 0 : allNonzero(word)) {
        run += 4;
        i += 4;
        continue;
      }
    }
    const v = mask[i] !== 0 ? 1 : 0;
    if (v !== previous) {
      counts[k++] = run;
      run = 0;
      previous = v;
    }
    run++;
    i++;
  }
  counts[k++] = run;
  return k;
}

function encodeRowMajor(mask: Uint8Array, h: number, w: number): number {
  // Pass 1, in memory order: where each column flips (starting from background at its top).
  const columnValue = new Uint8Array(w + 3); // padded so 4 columns can be read as a word
  const columnWords = new Uint32Array(columnValue.buffer, 0, (w + 3) >>> 2);
  const flipsPerColumn = new Uint32Array(w + 1);
  const words = wordsOf(mask);
  let n = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let x = 0;
    while (x < w) {
      const i = row + x;
      if (
        words &&
        (i & 3) === 0 &&
        (x & 3) === 0 &&
        x + 4 <= w &&
        words[i >>> 2] === 0 &&
        columnWords[x >>> 2] === 0
      ) {
        x += 4;
        continue;
      }
      const v = mask[i] !== 0 ? 1 : 0;
      if (v !== columnValue[x]) {
        columnValue[x] = v;
        if (n === scratchX.length) {
          scratchX = growKeeping(scratchX, n + 1);
          scratchY = growKeeping(scratchY, n + 1);
        }
        scratchX[n] = x;
        scratchY[n] = y;
        n++;
        flipsPerColumn[x + 1]++;
      }
      x++;
    }
  }
  // Pass 2: counting sort of the flips by column (stable, so rows stay increasing).
  for (let x = 0; x < w; x++) flipsPerColumn[x + 1] += flipsPerColumn[x];
  const sorted = new Uint32Array(n);
  const next = flipsPerColumn.slice(0, w);
  for (let t = 0; t < n; t++) sorted[next[scratchX[t]]++] = scratchY[t];
  // Pass 3: walk the columns in order. Each column's flips start from background at its top; when the
  // previous column ended in foreground, its top either continues that run (a flip at row 0) or ends it.
  const counts = scratchCounts;
  let k = 0;
  let current = 0;
  let last = 0;
  for (let x = 0; x < w; x++) {
    let t = flipsPerColumn[x];
    const end = flipsPerColumn[x + 1];
    if (current === 1) {
      if (t < end && sorted[t] === 0) t++;
      else {
        const p = x * h;
        counts[k++] = p - last;
        last = p;
        current = 0;
      }
    }
    for (; t < end; t++) {
      const p = x * h + sorted[t];
      counts[k++] = p - last;
      last = p;
      current ^= 1;
    }
  }
  counts[k++] = h * w - last;
  return k;
}

/**
 * Decodes an RLE into a 0/1 mask of h * w bytes in the given order (default row-major: y * w + x).
 * Runs that overrun the image raise, as pycocotools' decode does; runs that fall short leave background.
 */
export function decodeMask(rle: Rle, order: PixelOrder = 'row-major'): Uint8Array {
  let mask: Uint8Array;
  try {
    mask = new Uint8Array(rle.h * rle.w);
  } catch (cause) {
    throw new InvalidRleError(
      `of size [${rle.h}, ${rle.w}]`,
      `a mask of ${rle.h * rle.w} pixels is too large to allocate`,
      { cause },
    );
  }
  return decodeMaskInto(rle, mask, order);
}

/**
 * decodeMask into a caller's buffer of h * w bytes (overwritten), so loops over many masks can reuse one
 * buffer instead of allocating (and page-faulting) a fresh one per mask. Returns `mask`.
 */
export function decodeMaskInto(rle: Rle, mask: Uint8Array, order: PixelOrder = 'row-major'): Uint8Array {
  const { h, w, counts } = rle;
  const pixels = h * w;
  if (mask.length !== pixels) {
    throw new InvalidSegmentationError(
      `mask buffer of length ${mask.length}`,
      `expected h * w = ${h} * ${w} = ${pixels} bytes`,
    );
  }
  mask.fill(0);
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
