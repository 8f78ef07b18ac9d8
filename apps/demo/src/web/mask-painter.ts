import { instanceColour } from './palette';

/**
 * Paints masks into RGBA pixels at the image's own resolution: each instance in its colour, its outline
 * opaque so neighbouring instances stay apart. Later instances (better scores come first) are painted first,
 * so the best mask ends on top where masks overlap.
 */
export function paintMasks(
  masks: readonly Uint8Array[],
  width: number,
  height: number,
  options: { fillAlpha: number; outlineAlpha: number },
): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let k = masks.length - 1; k >= 0; k--) {
    const mask = masks[k];
    const [r, g, b] = instanceColour(k);
    const fill = Math.round(options.fillAlpha * 255);
    const outline = Math.round(options.outlineAlpha * 255);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (!mask[i]) continue;
        const edge =
          x === 0 ||
          y === 0 ||
          x === width - 1 ||
          y === height - 1 ||
          !mask[i - 1] ||
          !mask[i + 1] ||
          !mask[i - width] ||
          !mask[i + width];
        const o = i * 4;
        rgba[o] = r;
        rgba[o + 1] = g;
        rgba[o + 2] = b;
        rgba[o + 3] = edge ? outline : fill;
      }
    }
  }
  return rgba;
}
