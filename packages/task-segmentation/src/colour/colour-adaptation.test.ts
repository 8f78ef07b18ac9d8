import { encodeMask } from '@tasam/coco-data';
import { TaskSegmentationOptionsError } from '../errors';
import { EXPOSURE_MAX_GAIN, lightAdaptation, NO_ADAPTATION } from './colour-adaptation';
import { maskColourShares } from './mask-colour';
import { pixelColour } from './pixel-colour';
import { SRGB_TO_LINEAR } from './srgb';

const W = 40;
const H = 40;
type Rgb = [number, number, number];
/** width x height pixels, the first `share` of them (row-major) `first`, the rest `rest`. */
function scene(first: Rgb, rest: Rgb, share: number) {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set(i < W * H * share ? first : rest, i * 3);
  return { width: W, height: H, data };
}
/** A scene under warm light: 3/4 warm beige surroundings, 1/4 a pale yellow-green fruit (the last rows). */
const FRUIT: Rgb = [185, 190, 80];
const warmScene = () => scene([200, 160, 110], FRUIT, 0.75);
const adapt = (tables: readonly Uint8Array[], rgb: readonly number[]) =>
  rgb.map((v, k) => tables[k][v]) as Rgb;
const luminance = (rgb: Rgb) =>
  0.2126 * SRGB_TO_LINEAR[rgb[0]] + 0.7152 * SRGB_TO_LINEAR[rgb[1]] + 0.0722 * SRGB_TO_LINEAR[rgb[2]];

describe('lightAdaptation: exposure (the default)', () => {
  it('brightens a dim scene so that a shaded white surface reads white, not grey', () => {
    // A dim room: the white couch is the brightest thing, at 180 (L* 73: grey as shot).
    const couch: Rgb = [180, 180, 180];
    const room = scene([60, 50, 45], couch, 0.7);
    expect(pixelColour(...couch)).toBe('grey');
    const { gains, tables } = lightAdaptation(room);
    // The 95th-percentile luminance is the couch's: brightened to white (within the histogram's bin).
    expect(gains[0]).toBeCloseTo(1 / luminance(couch), 2);
    expect(gains[1]).toBe(gains[0]);
    expect(gains[2]).toBe(gains[0]);
    expect(pixelColour(...adapt(tables, couch))).toBe('white');
    // A red object in the same room stays red.
    expect(pixelColour(...adapt(tables, [120, 25, 25]))).toBe('red');
  });

  it('leaves a scene with white in it alone and brightens a dark one by at most EXPOSURE_MAX_GAIN', () => {
    expect(lightAdaptation(scene([255, 255, 255], [40, 90, 40], 0.1)).gains).toEqual([1, 1, 1]);
    expect(lightAdaptation(scene([10, 10, 10], [20, 20, 20], 0.5)).gains).toEqual([
      EXPOSURE_MAX_GAIN,
      EXPOSURE_MAX_GAIN,
      EXPOSURE_MAX_GAIN,
    ]);
  });

  it('with exposure off and no grey world changes nothing', () => {
    const none = lightAdaptation(warmScene(), { exposure: false });
    expect(none).toBe(NO_ADAPTATION);
    for (const t of NO_ADAPTATION.tables)
      expect(Array.from(t)).toEqual(Array.from({ length: 256 }, (_, v) => v));
  });
});

describe('lightAdaptation: grey world', () => {
  it('changes no channel of an achromatic image', () => {
    const grey = { width: 2, height: 1, data: new Uint8Array([120, 120, 120, 30, 30, 30]) };
    expect(lightAdaptation(grey, { exposure: false, greyWorld: 1 }).gains).toEqual([1, 1, 1]);
  });

  it('at degree 1 makes the mean of the linear channels grey', () => {
    const image = warmScene();
    const { tables } = lightAdaptation(image, { exposure: false, greyWorld: 1 });
    const means = [0, 1, 2].map((k) => {
      let sum = 0;
      for (let p = 0; p < W * H; p++) sum += SRGB_TO_LINEAR[tables[k][image.data[p * 3 + k]]];
      return sum / (W * H);
    });
    // Within the rounding of the 8-bit tables.
    expect(Math.abs(means[0] - means[1]) / means[1]).toBeLessThan(0.01);
    expect(Math.abs(means[2] - means[1]) / means[1]).toBeLessThan(0.01);
  });

  it('names a pale green fruit under warm light green, and keeps red red', () => {
    const { tables, gains } = lightAdaptation(warmScene(), { exposure: false, greyWorld: 0.5 });
    // Warm light: blue is boosted, red cut.
    expect(gains[2]).toBeGreaterThan(1);
    expect(gains[0]).toBeLessThan(1);
    expect(pixelColour(...FRUIT)).toBe('yellow');
    expect(pixelColour(...adapt(tables, FRUIT))).toBe('green');
    expect(pixelColour(...adapt(tables, [180, 40, 40]))).toBe('red');
  });

  it('multiplies with exposure', () => {
    const image = warmScene();
    const both = lightAdaptation(image, { greyWorld: 0.5 });
    const exposure = lightAdaptation(image).gains[0];
    const colour = lightAdaptation(image, { exposure: false, greyWorld: 0.5 }).gains;
    both.gains.forEach((g, k) => {
      expect(g).toBeCloseTo(exposure * colour[k], 12);
    });
  });

  it('lets maskColourShares name the adapted pixels', () => {
    const image = warmScene();
    const fruit = new Uint8Array(W * H).map((_, i) => (i >= (W * H * 3) / 4 ? 1 : 0));
    const rle = encodeMask(fruit, H, W);
    expect(maskColourShares(image, rle).yellow).toBe(1);
    const adapted = lightAdaptation(image, { exposure: false, greyWorld: 0.5 });
    expect(maskColourShares(image, rle, adapted).green).toBe(1);
  });
});

describe('lightAdaptation: options', () => {
  it('refuses bad options with a typed error naming the option', () => {
    expect(() => lightAdaptation(warmScene(), { greyWorld: 1.5 })).toThrow(TaskSegmentationOptionsError);
    expect(() => lightAdaptation(warmScene(), { greyWorld: Number.NaN })).toThrow(
      /colourAdaptation: must be a number from 0 to 1/,
    );
    expect(() => lightAdaptation(warmScene(), { exposure: 'yes' as unknown as boolean })).toThrow(
      /colourExposure: must be true or false/,
    );
  });
});
