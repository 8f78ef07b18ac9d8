import { encodeMask } from '@tasam/coco-data';
import { TaskSegmentationOptionsError } from '../errors';
import { greyWorldAdaptation, NO_ADAPTATION } from './colour-adaptation';
import { maskColourShares } from './mask-colour';
import { pixelColour } from './pixel-colour';
import { SRGB_TO_LINEAR } from './srgb';

const W = 40;
const H = 40;
/** A scene under warm light: 3/4 warm beige surroundings, 1/4 a pale yellow-green fruit (the last rows). */
const FRUIT: [number, number, number] = [185, 190, 80];
function warmScene() {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set(i < (W * H * 3) / 4 ? [200, 160, 110] : FRUIT, i * 3);
  return { width: W, height: H, data };
}
const adapt = (tables: readonly Uint8Array[], rgb: readonly number[]) => rgb.map((v, k) => tables[k][v]);

describe('greyWorldAdaptation', () => {
  it('changes nothing in a grey-balanced image or at degree 0', () => {
    const grey = {
      width: 2,
      height: 1,
      data: new Uint8Array([120, 120, 120, 30, 30, 30]),
    };
    // Achromatic pixels: the channel means are equal, so every gain is exactly 1 and the tables are the identity.
    expect(greyWorldAdaptation(grey, 1).gains).toEqual([1, 1, 1]);
    const none = greyWorldAdaptation(warmScene(), 0);
    expect(none.gains).toEqual([1, 1, 1]);
    for (let v = 0; v < 256; v++) for (const t of none.tables) expect(t[v]).toBe(v);
    for (const t of NO_ADAPTATION.tables)
      expect(Array.from(t)).toEqual(Array.from({ length: 256 }, (_, v) => v));
  });

  it('at degree 1 makes the mean of the linear channels grey', () => {
    const image = warmScene();
    const { tables } = greyWorldAdaptation(image, 1);
    const means = [0, 1, 2].map((k) => {
      let sum = 0;
      for (let p = 0; p < W * H; p++) sum += SRGB_TO_LINEAR[tables[k][image.data[p * 3 + k]]];
      return sum / (W * H);
    });
    // Within the rounding of the 8-bit tables.
    expect(Math.abs(means[0] - means[1]) / means[1]).toBeLessThan(0.01);
    expect(Math.abs(means[2] - means[1]) / means[1]).toBeLessThan(0.01);
  });

  it('names a pale green fruit under warm light green, as people do, and keeps red red', () => {
    const { tables, gains } = greyWorldAdaptation(warmScene(), 0.5);
    // Warm light: blue is boosted, red cut.
    expect(gains[2]).toBeGreaterThan(1);
    expect(gains[0]).toBeLessThan(1);
    expect(pixelColour(...FRUIT)).toBe('yellow');
    expect(pixelColour(...(adapt(tables, FRUIT) as [number, number, number]))).toBe('green');
    expect(pixelColour(...(adapt(tables, [180, 40, 40]) as [number, number, number]))).toBe('red');
  });

  it('lets maskColourShares name the adapted pixels', () => {
    const image = warmScene();
    const fruit = new Uint8Array(W * H).map((_, i) => (i >= (W * H * 3) / 4 ? 1 : 0));
    const rle = encodeMask(fruit, H, W);
    expect(maskColourShares(image, rle).yellow).toBe(1);
    expect(maskColourShares(image, rle, greyWorldAdaptation(image, 0.5)).green).toBe(1);
  });

  it('refuses a degree outside 0-1 with a typed error naming the option', () => {
    expect(() => greyWorldAdaptation(warmScene(), 1.5)).toThrow(TaskSegmentationOptionsError);
    expect(() => greyWorldAdaptation(warmScene(), Number.NaN)).toThrow(
      /colourAdaptation: must be a number from 0 to 1/,
    );
  });
});
