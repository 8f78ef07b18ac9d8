import { describeValue } from '@tasam/errors';
import { InvalidRleError } from '../errors';
import { Rle, type UncompressedRle } from './rle';

/**
 * Builds an Rle from COCO's uncompressed form (pycocotools frUncompressedRLE): the counts are taken verbatim,
 * zero-length runs included, and the RLE keeps its own `size`.
 */
export function rleFromUncompressed(rle: UncompressedRle): Rle {
  if (typeof rle !== 'object' || rle === null) {
    throw new InvalidRleError(describeValue(rle), 'expected an object { size: [h, w], counts: number[] }');
  }
  const [h, w] = checkRleSize(rle.size, rle);
  const source = rle.counts;
  if (!Array.isArray(source)) {
    throw new InvalidRleError(
      `of size [${h}, ${w}]`,
      `counts must be an array of numbers, got ${describeValue(source)}`,
    );
  }
  const counts = new Uint32Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0xffffffff) {
      throw new InvalidRleError(
        `of size [${h}, ${w}]`,
        `counts[${i}] is ${describeValue(c)}, expected an integer in 0..2^32-1`,
      );
    }
    counts[i] = c;
  }
  return new Rle(h, w, counts);
}

/** The uncompressed COCO form of an Rle (plain run lengths). */
export function rleToUncompressed(rle: Rle): UncompressedRle {
  return { size: [rle.h, rle.w], counts: Array.from(rle.counts) };
}

/** Checks a COCO `size` field: two non-negative integers [h, w]. */
export function checkRleSize(size: unknown, rle: unknown): [number, number] {
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff)
  ) {
    throw new InvalidRleError(
      describeValue(rle),
      `size must be [h, w] with non-negative integers, got ${JSON.stringify(size) ?? 'undefined'}`,
    );
  }
  return [size[0], size[1]];
}
