import { loadImageRgb, type RgbImage } from '@tasam/coco-data';
import { DetectorInputError } from './errors';
import type { DetectorImage } from './types';

const isBytes = (value: unknown): value is Uint8Array =>
  value instanceof Uint8Array || Buffer.isBuffer(value);

/** Checks a decoded image's shape and pixel buffer; a bad one is a DetectorInputError. */
export function checkRgbImage(image: RgbImage): RgbImage {
  const { data, width, height } = image;
  if (!Number.isSafeInteger(width) || width < 1 || !Number.isSafeInteger(height) || height < 1) {
    throw new DetectorInputError(image, `width ${width} and height ${height} must be positive integers`);
  }
  if (!isBytes(data) && !((data as unknown) instanceof Uint8ClampedArray)) {
    throw new DetectorInputError(image, 'data must be a Uint8Array of RGB bytes');
  }
  if (data.length !== width * height * 3) {
    throw new DetectorInputError(
      image,
      `data has ${data.length} bytes, expected ${width}x${height}x3 = ${width * height * 3}`,
    );
  }
  return image;
}

/**
 * A path or encoded bytes go through `loadImageRgb` (EXIF orientation, grey/CMYK/alpha to RGB; its
 * ImageReadError / ImageDecodeError pass through); an RgbImage is checked and used as is.
 */
export async function toRgbImage(input: DetectorImage): Promise<RgbImage> {
  if (typeof input === 'string') {
    if (input === '') throw new DetectorInputError(input, 'is an empty path');
    return loadImageRgb(input);
  }
  if (isBytes(input)) {
    if (input.length === 0) throw new DetectorInputError(input, 'is empty');
    return loadImageRgb(input);
  }
  if (typeof input === 'object' && input !== null && 'data' in input) return checkRgbImage(input);
  throw new DetectorInputError(
    input,
    'expected a file path, encoded image bytes (Buffer/Uint8Array) or an RgbImage {data, width, height}',
  );
}
