import { TasamError } from '@tasam/errors';
import { letterboxImage } from './preprocess';

describe('letterboxImage', () => {
  it('resizes the longest side to 1024, normalises with SAM statistics and zero-pads', async () => {
    const width = 64;
    const height = 32;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.set([200, 100, 50], i * 3);
    const { input, frame } = await letterboxImage({ data, width, height });
    expect(input.dims).toEqual([1, 3, 1024, 1024]);
    expect([frame.resizedWidth, frame.resizedHeight]).toEqual([1024, 512]);
    const at = (c: number, y: number, x: number) => input.data[c * 1024 * 1024 + y * 1024 + x];
    const expected = [(200 - 123.675) / 58.395, (100 - 116.28) / 57.12, (50 - 103.53) / 57.375];
    for (const [y, x] of [
      [0, 0],
      [511, 1023],
      [256, 500],
    ]) {
      for (let c = 0; c < 3; c++) expect(at(c, y, x)).toBeCloseTo(expected[c], 5);
    }
    for (let c = 0; c < 3; c++) {
      expect(at(c, 512, 0)).toBe(0);
      expect(at(c, 1023, 1023)).toBe(0);
    }
  });

  it('keeps left/right structure in place (no flips or channel swaps)', async () => {
    const width = 8;
    const height = 8;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
    const { input } = await letterboxImage({ data, width, height });
    const red = (y: number, x: number) => input.data[y * 1024 + x];
    const blue = (y: number, x: number) => input.data[2 * 1024 * 1024 + y * 1024 + x];
    expect(red(100, 100)).toBeGreaterThan(2);
    expect(blue(100, 100)).toBeLessThan(-1.5);
    expect(red(900, 900)).toBeLessThan(-2);
    expect(blue(900, 900)).toBeGreaterThan(2);
  });

  it('rejects images whose data does not match their size', async () => {
    const error = await letterboxImage({ data: new Uint8Array(10), width: 2, height: 2 }).catch((e) => e);
    expect(TasamError.hasCode(error, 'INVALID_TENSOR')).toBe(true);
    expect(error.message).toContain('got 2x2 with 10 bytes');
  });
});
