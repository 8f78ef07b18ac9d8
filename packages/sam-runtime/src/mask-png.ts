import type { RgbImage } from '@tasam/coco-data';
import { writeFileAtomic } from './atomic-write';
import { InvalidTensorError, OutputWriteError } from './errors';
import type { ImageSize } from './image-frame';
import { sharp } from './lazy-sharp';
import { assertRgbImage } from './preprocess';
import type { BoxPrompt, PointPrompt } from './prompt';

/** Distinct, saturated colours (RGB) for overlays; mask i gets colour i modulo the palette. */
export const OVERLAY_PALETTE: readonly (readonly [number, number, number])[] = [
  [30, 144, 255],
  [255, 99, 71],
  [50, 205, 50],
  [255, 215, 0],
  [186, 85, 211],
  [0, 206, 209],
  [255, 140, 0],
  [255, 20, 147],
  [154, 205, 50],
  [106, 90, 205],
];

function assertMask(mask: Uint8Array, size: ImageSize, name: string): void {
  if (!(mask instanceof Uint8Array) || mask.length !== size.width * size.height) {
    throw new InvalidTensorError(
      name,
      `expected ${size.width}x${size.height} = ${size.width * size.height} bytes, got ${mask?.length}`,
    );
  }
}

async function encodePng(
  pixels: Uint8Array,
  size: ImageSize,
  channels: 1 | 3,
  path: string,
): Promise<Buffer> {
  try {
    const raw = sharp(pixels, { raw: { width: size.width, height: size.height, channels } });
    return await (channels === 1 ? raw.toColourspace('b-w') : raw).png().toBuffer();
  } catch (cause) {
    throw new OutputWriteError(path, `cannot encode PNG (${(cause as Error).message})`, { cause });
  }
}

/** Writes a binary mask (row-major, nonzero = inside) as an 8-bit grayscale PNG: 255 inside, 0 outside. */
export async function writeMaskPng(path: string, mask: Uint8Array, size: ImageSize): Promise<void> {
  assertMask(mask, size, 'mask');
  const pixels = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) pixels[i] = mask[i] ? 255 : 0;
  writeFileAtomic(path, await encodePng(pixels, size, 1, path));
}

export interface OverlayOptions {
  /** Opacity of the mask fill, 0-1 (default 0.5). Mask outlines are drawn opaque. */
  alpha?: number;
  /** Prompt points to mark: foreground green, background red. */
  points?: readonly PointPrompt[];
  /** Prompt box to outline. */
  box?: BoxPrompt;
}

/** Renders masks in palette colours over the image (filled, outlined) with the prompts marked; RGB bytes. */
export function renderOverlay(
  image: RgbImage,
  masks: readonly Uint8Array[],
  options: OverlayOptions = {},
): Uint8Array {
  assertRgbImage(image);
  const { width, height } = image;
  const alpha = Math.min(Math.max(options.alpha ?? 0.5, 0), 1);
  const out = new Uint8Array(image.data);
  masks.forEach((mask, m) => {
    assertMask(mask, image, `overlay mask ${m + 1}`);
    const color = OVERLAY_PALETTE[m % OVERLAY_PALETTE.length];
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
        const a = edge ? 1 : alpha;
        for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(out[i * 3 + c] * (1 - a) + color[c] * a);
      }
    }
  });
  const paint = (x: number, y: number, color: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    out.set(color, (y * width + x) * 3);
  };
  if (options.box) {
    const [x0, y0, x1, y1] = options.box.map(Math.round);
    for (let x = x0; x <= x1; x++) for (const y of [y0, y1]) paint(x, y, [255, 255, 255]);
    for (let y = y0; y <= y1; y++) for (const x of [x0, x1]) paint(x, y, [255, 255, 255]);
  }
  const radius = Math.max(3, Math.round(Math.max(width, height) / 160));
  for (const point of options.points ?? []) {
    const color = point.label === 1 ? [0, 220, 0] : [230, 0, 0];
    const cx = Math.round(point.x);
    const cy = Math.round(point.y);
    for (let dy = -radius - 1; dy <= radius + 1; dy++) {
      for (let dx = -radius - 1; dx <= radius + 1; dx++) {
        const d = dx * dx + dy * dy;
        if (d <= radius * radius) paint(cx + dx, cy + dy, color);
        else if (d <= (radius + 1) * (radius + 1)) paint(cx + dx, cy + dy, [255, 255, 255]);
      }
    }
  }
  return out;
}

/** Writes `renderOverlay` as an RGB PNG. */
export async function writeOverlayPng(
  path: string,
  image: RgbImage,
  masks: readonly Uint8Array[],
  options: OverlayOptions = {},
): Promise<void> {
  const pixels = renderOverlay(image, masks, options);
  writeFileAtomic(path, await encodePng(pixels, image, 3, path));
}

/**
 * Writes instance masks as one 8-bit label PNG: each pixel holds 1 + the index of the first mask (in the given
 * order, e.g. best score first) that covers it, 0 where none does. Indices beyond 254 share the label 255.
 */
export async function writeLabelPng(
  path: string,
  masks: readonly Uint8Array[],
  size: ImageSize,
): Promise<void> {
  const labels = new Uint8Array(size.width * size.height);
  masks.forEach((mask, m) => {
    assertMask(mask, size, `label mask ${m + 1}`);
    const label = Math.min(m + 1, 255);
    for (let i = 0; i < labels.length; i++) if (mask[i] && labels[i] === 0) labels[i] = label;
  });
  writeFileAtomic(path, await encodePng(labels, size, 1, path));
}
