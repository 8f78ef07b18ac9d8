import { readFile } from 'node:fs/promises';
import type Sharp from 'sharp';
import { ImageDecodeError, ImageReadError, ImageTooLargeError } from '../errors';

let sharpModule: typeof Sharp | undefined;
/**
 * sharp, loaded on the first decode: it loads a native library (~40 ms), which the users of this package's RLE,
 * annotation and category API (e.g. the detector's worker threads) never need.
 */
function sharp(...args: Parameters<typeof Sharp>): ReturnType<typeof Sharp> {
  sharpModule ??= require('sharp') as typeof Sharp;
  return sharpModule(...args);
}

/** An 8-bit RGB image, row-major, channels interleaved: data[(y * width + x) * 3 + c]. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Pixels an image may have whatever its size in bytes: 2^22 (4.2 megapixels, 12.6 MB of RGB). */
const FREE_PIXELS = 2 ** 22;
/**
 * Pixels per byte of input allowed beyond FREE_PIXELS. JPEG spends at least one bit per 8 x 8 block (the DC
 * code of its one or three components), so more than 512 pixels a byte is a truncated or lying file, which
 * libjpeg would fill in grey (a warning, not an error); PNG's deflate stops at 1032:1 on 1-bit rows, 8256
 * pixels a byte. Other formats: 4096 (flat pictures reach about 560 as WebP and 1,500 as GIF).
 */
const PIXELS_PER_BYTE = { jpeg: 512, png: 8448, other: 4096 } as const;
/** sharp's own ceiling, 16383 x 16383. */
const MAX_PIXELS = 0x3fff * 0x3fff;

/**
 * The most pixels loadImageRgb decodes from these bytes: any image up to 2^22 pixels; larger ones only as
 * many as their byte count can encode (512 pixels a byte for JPEG, 8448 for PNG, 4096 otherwise); never more
 * than sharp's 16383 x 16383. Decoding allocates 3 bytes per pixel before it can tell a truncated file, so
 * this bounds what a corrupt or hostile header can make it allocate.
 */
export function imagePixelLimit(bytes: Uint8Array): number {
  const format =
    bytes[0] === 0xff && bytes[1] === 0xd8
      ? 'jpeg'
      : bytes[0] === 0x89 && bytes[1] === 0x50
        ? 'png'
        : 'other';
  return Math.min(MAX_PIXELS, Math.max(FREE_PIXELS, bytes.length * PIXELS_PER_BYTE[format]));
}

/**
 * Loads an image file or buffer (JPEG, PNG, WebP, GIF, TIFF, AVIF: whatever sharp reads) as 8-bit sRGB:
 * rotated and mirrored upright by its EXIF orientation, greyscale expanded to RGB, CMYK converted through its
 * ICC profile (or sharp's default), 16-bit reduced to 8-bit, alpha composited onto white.
 * A missing or unreadable file gives ImageReadError; corrupt or truncated data gives ImageDecodeError; a
 * header claiming more pixels than imagePixelLimit allows for the input's size gives ImageTooLargeError.
 */
export async function loadImageRgb(input: string | Buffer | Uint8Array): Promise<RgbImage> {
  const name = typeof input === 'string' ? input : `<buffer of ${input.length} bytes>`;
  let bytes: Buffer | Uint8Array;
  if (typeof input === 'string') {
    try {
      bytes = await readFile(input);
    } catch (cause) {
      throw new ImageReadError(input, { cause });
    }
  } else {
    bytes = input;
  }
  const limit = imagePixelLimit(bytes);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', autoOrient: true, limitInputPixels: limit })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new Error(`decoded to ${info.channels} channels, expected 3`);
    }
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
    };
  } catch (cause) {
    if (/exceeds pixel limit/i.test((cause as Error)?.message ?? '')) {
      throw new ImageTooLargeError(name, await headerSize(bytes), limit, { cause });
    }
    throw new ImageDecodeError(name, { cause });
  }
}

/** Width and height from the image's header (no decoding), or undefined when they cannot be read. */
async function headerSize(
  bytes: Buffer | Uint8Array,
): Promise<{ width: number; height: number } | undefined> {
  try {
    const { width, height } = await sharp(bytes, { limitInputPixels: false }).metadata();
    return width !== undefined && height !== undefined ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}
