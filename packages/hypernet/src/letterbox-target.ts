import { decodeMask, type Rle } from '@tasam/coco-data';

export const LOW_RES_SIZE = 256;
const MODEL_SIZE = 1024;

/**
 * A mask at the original image size → the decoder's 256x256 low-res frame (the image letterboxed into 1024:
 * scaled by 1024 / longest side, padded right and bottom). Nearest-neighbour at each low-res pixel's centre;
 * the padding is background.
 */
export function letterboxTarget(rle: Rle): Uint8Array {
  const { h, w } = rle;
  const mask = decodeMask(rle);
  const scale = MODEL_SIZE / Math.max(h, w);
  const out = new Uint8Array(LOW_RES_SIZE * LOW_RES_SIZE);
  const step = MODEL_SIZE / LOW_RES_SIZE;
  for (let i = 0; i < LOW_RES_SIZE; i++) {
    const y = Math.floor(((i + 0.5) * step) / scale);
    if (y >= h) break;
    for (let j = 0; j < LOW_RES_SIZE; j++) {
      const x = Math.floor(((j + 0.5) * step) / scale);
      if (x >= w) break;
      out[i * LOW_RES_SIZE + j] = mask[y * w + x];
    }
  }
  return out;
}
