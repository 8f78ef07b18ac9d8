import { encodeMask } from '@tasam/coco-data';
import { maskColourShares } from './mask-colour';

describe('maskColourShares', () => {
  it('counts the basic colours of the pixels under the mask only', () => {
    // 4x2 image: left half red, right half green; the mask covers three red pixels and one green one.
    const width = 4;
    const height = 2;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data.set(x < 2 ? [220, 30, 30] : [60, 180, 60], (y * width + x) * 3);
    const mask = new Uint8Array([1, 1, 1, 0, 1, 0, 0, 0]);
    const shares = maskColourShares({ data, width, height }, encodeMask(mask, height, width));
    expect(shares.red).toBeCloseTo(0.75, 6);
    expect(shares.green).toBeCloseTo(0.25, 6);
    expect(shares.blue).toBe(0);
  });
});
