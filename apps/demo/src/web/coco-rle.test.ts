import { compressRle, encodeMask } from '@tasam/coco-data';
import { decodeRleCounts, decodeRleMask } from './coco-rle';

/** A deterministic pseudo-random mask with blobs, thin lines and edge pixels. */
function sampleMask(h: number, w: number, seed: number): Uint8Array {
  const mask = new Uint8Array(h * w);
  let state = seed;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let blob = 0; blob < 4; blob++) {
    const cx = random() * w;
    const cy = random() * h;
    const r = 2 + random() * Math.min(h, w) * 0.3;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) mask[y * w + x] = 1;
  }
  for (let i = 0; i < h * w; i += 37) mask[i] = 1;
  return mask;
}

describe('browser-side COCO RLE decoding', () => {
  it('inverts coco-data’s encoder and string codec exactly', () => {
    for (const [h, w, seed] of [
      [1, 1, 1],
      [7, 13, 2],
      [64, 48, 3],
      [480, 640, 4],
    ]) {
      const mask = sampleMask(h, w, seed);
      const compressed = compressRle(encodeMask(mask, h, w));
      expect(Array.from(decodeRleMask(compressed))).toEqual(Array.from(mask));
    }
  });

  it('decodes empty and full masks', () => {
    const empty = compressRle(encodeMask(new Uint8Array(12), 3, 4));
    const full = compressRle(encodeMask(new Uint8Array(12).fill(1), 3, 4));
    expect(Array.from(decodeRleMask(empty))).toEqual(new Array(12).fill(0));
    expect(Array.from(decodeRleMask(full))).toEqual(new Array(12).fill(1));
  });

  it('reads a string pycocotools wrote (coco-data fixture rle_vectors.json, square_int)', () => {
    const rows = ['0000000000', '0111110000', '0111110000', '0111110000', '0111110000', '0111110000'];
    while (rows.length < 12) rows.push('0000000000');
    const expected = rows.join('').split('').map(Number);
    expect(decodeRleCounts('=570000000_1')).toEqual([13, 5, 7, 5, 7, 5, 7, 5, 7, 5, 54]);
    expect(Array.from(decodeRleMask({ size: [12, 10], counts: '=570000000_1' }))).toEqual(expected);
  });

  it('refuses runs that overflow the mask', () => {
    expect(() =>
      decodeRleMask({ size: [2, 2], counts: compressRle(encodeMask(new Uint8Array(9), 3, 3)).counts }),
    ).toThrow(/more than 2x2/);
  });
});
