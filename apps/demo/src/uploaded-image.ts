import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { ImageTooLargeError } from './errors/image-too-large-error';
import { ImageUnreadableError } from './errors/image-unreadable-error';
import { NotAnImageError } from './errors/not-an-image-error';

/** Raster formats the demo accepts. SVG and PDF decode too, but they are documents that can reference files. */
export const ACCEPTED_IMAGE_FORMATS: ReadonlySet<string> = new Set([
  'jpeg',
  'png',
  'webp',
  'gif',
  'tiff',
  'heif',
]);

/** 8-bit RGB pixels, row-major, 3 channels interleaved, EXIF orientation applied (coco-data's RgbImage). */
export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface UploadedImage {
  rgb: RgbPixels;
  /** Container format sharp found in the bytes (not the file name's extension). */
  format: string;
  /** sha256 of the uploaded bytes: the embedding cache key. */
  sha256: string;
}

/**
 * Decodes an upload, trusting only its bytes: the header must be an accepted raster format, the pixel count
 * must stay under `maxPixels` (checked from the header, before the pixels are decoded, so a small file that
 * expands to gigapixels is refused cheaply), and the pixels must decode without error.
 */
export async function decodeUploadedImage(
  bytes: Buffer,
  filename: string,
  limits: { maxPixels: number },
): Promise<UploadedImage> {
  if (bytes.length === 0) throw new NotAnImageError(filename, 'the upload is empty');
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new NotAnImageError(filename, 'the bytes are not an image (no known image header)', { cause });
  }
  const format = metadata.format ?? 'unknown';
  if (!ACCEPTED_IMAGE_FORMATS.has(format)) {
    throw new NotAnImageError(
      filename,
      `${format} is not accepted; upload a JPEG, PNG, WebP, GIF, TIFF or AVIF image`,
    );
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width * height > limits.maxPixels)
    throw new ImageTooLargeError(filename, width, height, limits.maxPixels);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: limits.maxPixels })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return {
      rgb: {
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
        width: info.width,
        height: info.height,
      },
      format,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  } catch (cause) {
    throw new ImageUnreadableError(filename, format, { cause });
  }
}
