import type { RgbImage } from '@tasam/coco-data';
import { TaskSegmentationOptionsError } from '../errors';
import { linearToSrgb8, SRGB_TO_LINEAR } from './srgb';

/**
 * Default degree of adaptation to the image's light (GroundedOptions.colourAdaptation): none. On 82 random
 * hand-labelled COCO instances (tools/colour-check) adapting half way kept 4 fewer of them by their colour and
 * no more: a close-up's average is the object's own colour (a pile of carrots), not the light's, and grey world
 * then takes the object's colour away. It helps under a coloured light: a market stall's pale green apples,
 * CIELAB-yellow as shot under its warm light, are named green at 0.5 (3 of 12 apples more kept right).
 */
export const DEFAULT_COLOUR_ADAPTATION = 0;

/** At most this many pixels are read to estimate the light (an even sample of larger images). */
const MAX_LIGHT_SAMPLES = 250_000;

/**
 * Colours as seen under neutral light: per-channel lookup tables from an image's 8-bit sRGB values to the
 * adapted ones. People name an object's colour against the scene's light (a pale green apple under a warm
 * market lamp is CIELAB-yellow, yet everyone calls it green); a von Kries scaling of the linear channels
 * towards grey undoes part of that light's cast before pixels are named.
 */
export interface ColourAdaptation {
  /** Linear-light gain of R, G and B (1, 1, 1: no change). */
  gains: readonly [number, number, number];
  /** Adapted 8-bit value of each channel's 8-bit value: tables[channel][value]. */
  tables: readonly [Uint8Array, Uint8Array, Uint8Array];
}

/**
 * The adaptation of `image` by the grey-world estimate of its light (the scene's average reflectance is
 * grey, so the mean of each linear channel is the light's colour), applied to the degree `degree`: each
 * channel's gain is (grey / channel mean) ^ degree, where grey is the mean of the three channel means.
 * Degree 0 changes nothing; 1 makes the image's average exactly grey.
 */
export function greyWorldAdaptation(image: RgbImage, degree: number): ColourAdaptation {
  if (!Number.isFinite(degree) || degree < 0 || degree > 1)
    throw new TaskSegmentationOptionsError('colourAdaptation', `must be a number from 0 to 1, got ${degree}`);
  if (degree === 0) return NO_ADAPTATION;
  const { data } = image;
  const pixels = Math.floor(data.length / 3);
  const step = Math.max(1, Math.floor(pixels / MAX_LIGHT_SAMPLES));
  const sums = [0, 0, 0];
  let count = 0;
  for (let p = 0; p < pixels; p += step) {
    sums[0] += SRGB_TO_LINEAR[data[p * 3]];
    sums[1] += SRGB_TO_LINEAR[data[p * 3 + 1]];
    sums[2] += SRGB_TO_LINEAR[data[p * 3 + 2]];
    count++;
  }
  const means = sums.map((s) => s / Math.max(1, count));
  const grey = (means[0] + means[1] + means[2]) / 3;
  // A channel that is black all over (or an image with no light at all) has no cast to undo.
  const gains = means.map((m) => (degree === 0 || m <= 0 || grey <= 0 ? 1 : (grey / m) ** degree)) as [
    number,
    number,
    number,
  ];
  return { gains, tables: [table(gains[0]), table(gains[1]), table(gains[2])] };
}

/** No adaptation: every value maps to itself. */
export const NO_ADAPTATION: ColourAdaptation = {
  gains: [1, 1, 1],
  tables: [table(1), table(1), table(1)],
};

function table(gain: number): Uint8Array {
  const out = new Uint8Array(256);
  for (let v = 0; v < 256; v++) out[v] = gain === 1 ? v : linearToSrgb8(SRGB_TO_LINEAR[v] * gain);
  return out;
}
