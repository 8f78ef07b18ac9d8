import { createHash } from 'node:crypto';
import type { RgbImage } from './load-image';

/**
 * SHA-256 (hex) of an image's decoded pixels and size: the key under which per-image results (SAM's embedding,
 * the detector's boxes) are cached. The same picture in another file format has the same digest.
 */
export function rgbImageDigest(image: RgbImage): string {
  const size = Buffer.alloc(8);
  size.writeUInt32LE(image.width, 0);
  size.writeUInt32LE(image.height, 4);
  return createHash('sha256').update(size).update(image.data).digest('hex');
}
