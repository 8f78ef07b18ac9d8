import { describeValue } from '@tasam/errors';
import { InvalidRleError } from '../errors';
import { type CompressedRle, Rle } from './rle';
import { checkRleSize } from './uncompressed';

/**
 * The COCO counts string (maskApi.c rleToString): each count, from the fourth on as the difference to the count
 * two places back, is written as a signed LEB128-like number with 5 payload bits per character, characters
 * '0' (48) to 'o' (111); bit 0x20 of a character means "more follows", bit 0x10 of the last one is the sign.
 */
export function compressRle(rle: Rle): CompressedRle {
  const { counts } = rle;
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      // Arithmetic shift by 5 on a value that may exceed int32 (counts are uint32): divide and floor.
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  return { size: [rle.h, rle.w], counts: charsToString(chars) };
}

function charsToString(chars: number[]): string {
  let out = '';
  for (let i = 0; i < chars.length; i += 8192) out += String.fromCharCode(...chars.slice(i, i + 8192));
  return out;
}

/** Parses the COCO counts string back into an Rle (maskApi.c rleFrString), with strict checks on the input. */
export function decompressRle(rle: CompressedRle): Rle {
  if (typeof rle !== 'object' || rle === null) {
    throw new InvalidRleError(describeValue(rle), 'expected an object { size: [h, w], counts: string }');
  }
  const [h, w] = checkRleSize(rle.size, rle);
  const s = rle.counts;
  if (typeof s !== 'string') {
    throw new InvalidRleError(`of size [${h}, ${w}]`, `counts must be a string, got ${describeValue(s)}`);
  }
  // At most one count per character.
  const counts = new Uint32Array(s.length);
  let m = 0;
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    const first = p;
    while (more) {
      if (p >= s.length) {
        throw new InvalidRleError(
          describe(s, h, w),
          `counts string ends inside a number started at ${first}`,
        );
      }
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) {
        throw new InvalidRleError(
          describe(s, h, w),
          `character ${JSON.stringify(s[p])} at ${p} is outside the codec's alphabet '0'..'o'`,
        );
      }
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    if (m > 2) x += counts[m - 2];
    if (x < 0 || x > 0xffffffff) {
      throw new InvalidRleError(describe(s, h, w), `count ${m} decodes to ${x}, outside 0..2^32-1`);
    }
    counts[m++] = x;
  }
  return new Rle(h, w, counts.slice(0, m));
}

function describe(s: string, h: number, w: number): string {
  return `of size [${h}, ${w}] with counts ${describeValue(s)}`;
}
