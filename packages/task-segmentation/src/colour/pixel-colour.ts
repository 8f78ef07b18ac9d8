import type { ColourName } from './colour-names';
import { SRGB_TO_LINEAR as LINEAR } from './srgb';

// sRGB (D65) to CIELAB: a perceptual space, where hue and lightness separate red apples from green ones and
// yellow bananas from brown ones far better than RGB or HSV distances.
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t) / 116 + 16 / 116);

/** CIELAB L* (0-100), a*, b* of an 8-bit sRGB colour. */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const R = LINEAR[r];
  const G = LINEAR[g];
  const B = LINEAR[b];
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const fy = f(y);
  return [116 * fy - 16, 500 * (f(x) - fy), 200 * (fy - f(z))];
}

/** Below this chroma a colour reads as black, grey or white. */
const ACHROMATIC_CHROMA = 13;

/**
 * The basic colour name of one sRGB pixel, by lightness L*, chroma C* and hue angle h in CIELAB (LCh). The hue
 * boundaries are where the sRGB prototypes' hues fall between (red 40°, orange 67°, yellow 102°, green 136°,
 * cyan 196°, blue 306°, magenta 328°); brown is dark orange/yellow, pink is light red/magenta.
 */
export function pixelColour(r: number, g: number, b: number): ColourName {
  const [L, a, bb] = srgbToLab(r, g, b);
  const C = Math.hypot(a, bb);
  if (C < ACHROMATIC_CHROMA) return L < 25 ? 'black' : L > 78 ? 'white' : 'grey';
  let h = (Math.atan2(bb, a) * 180) / Math.PI;
  if (h < 0) h += 360;
  if (h >= 345 || h < 52) {
    if (L >= 68 && C < 50) return 'pink';
    if (h >= 20 && h < 52 && L < 45 && C < 35) return 'brown';
    return 'red';
  }
  if (h < 80) return L < 52 ? 'brown' : 'orange';
  if (h < 110) return L < 52 ? (h < 95 ? 'brown' : 'green') : 'yellow';
  if (h < 200) return 'green';
  if (h < 315) return 'blue';
  return L >= 62 ? 'pink' : 'purple';
}
