import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { ImageDecodeError, ImageReadError } from '../errors';

/** An 8-bit RGB image, row-major, channels interleaved: data[(y * width + x) * 3 + c]. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Loads an image file or buffer (JPEG, PNG, WebP, GIF, TIFF, AVIF: whatever sharp reads) as 8-bit sRGB:
 * rotated and mirrored upright by its EXIF orientation, greyscale expanded to RGB, CMYK converted through its
 * ICC profile (or sharp's default), 16-bit reduced to 8-bit, alpha composited onto white.
 * A missing or unreadable file gives ImageReadError; corrupt or truncated data gives ImageDecodeError.
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
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', autoOrient: true })
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
    throw new ImageDecodeError(name, { cause });
  }
}
