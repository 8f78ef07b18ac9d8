import type { RgbImage } from '@tasam/coco-data';
import { decodeMask, type Rle } from '@tasam/coco-data';
import { type ColourAdaptation, NO_ADAPTATION } from './colour-adaptation';
import { COLOUR_NAMES, type ColourName } from './colour-names';
import { pixelColour } from './pixel-colour';

/** The share (0-1) of a mask's pixels of each basic colour. */
export type ColourShares = Record<ColourName, number>;

/** At most this many pixels are classified per mask (an even sample of larger masks). */
const MAX_SAMPLES = 20000;

/**
 * What share of a mask's pixels have each basic colour name (CIELAB classification of every sampled pixel),
 * the pixels first adapted to the image's light by `adaptation` when given (see `lightAdaptation`).
 */
export function maskColourShares(image: RgbImage, rle: Rle, adaptation?: ColourAdaptation): ColourShares {
  const mask = decodeMask(rle);
  const counts = new Map<ColourName, number>(COLOUR_NAMES.map((c) => [c, 0]));
  let inside = 0;
  for (let i = 0; i < mask.length; i++) inside += mask[i];
  const step = Math.max(1, Math.floor(inside / MAX_SAMPLES));
  let seen = 0;
  let total = 0;
  const { data } = image;
  const [r, g, b] = (adaptation ?? NO_ADAPTATION).tables;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    if (seen++ % step !== 0) continue;
    const name = pixelColour(r[data[i * 3]], g[data[i * 3 + 1]], b[data[i * 3 + 2]]);
    counts.set(name, (counts.get(name) as number) + 1);
    total++;
  }
  return Object.fromEntries(
    COLOUR_NAMES.map((c) => [c, total ? (counts.get(c) as number) / total : 0]),
  ) as ColourShares;
}
