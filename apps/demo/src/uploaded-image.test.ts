import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TasamError } from '@tasam/errors';
import sharp from 'sharp';
import { decodeUploadedImage } from './uploaded-image';

const cats = readFileSync(join(__dirname, '..', 'test', 'fixtures', 'cats.jpg'));
const limits = { maxPixels: 4096 * 4096 };

async function failureCode(bytes: Buffer, maxPixels = limits.maxPixels): Promise<string> {
  try {
    await decodeUploadedImage(bytes, 'upload.jpg', { maxPixels });
  } catch (error) {
    return TasamError.isInstance(error) ? error.code : `untyped: ${(error as Error).message}`;
  }
  return 'decoded';
}

describe('decodeUploadedImage', () => {
  it('decodes a JPEG to 8-bit RGB and keys it by the bytes', async () => {
    const image = await decodeUploadedImage(cats, 'cats.jpg', limits);
    const meta = await sharp(cats).metadata();
    expect(image.format).toBe('jpeg');
    expect([image.rgb.width, image.rgb.height]).toEqual([meta.width, meta.height]);
    expect(image.rgb.data.length).toBe(image.rgb.width * image.rgb.height * 3);
    expect(image.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('turns grey, alpha and 16-bit images into 3-channel RGB', async () => {
    const base = sharp({
      create: { width: 5, height: 4, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 0.5 } },
    });
    for (const bytes of [
      await base.clone().png().toBuffer(),
      await base.clone().greyscale().png().toBuffer(),
      await base.clone().toColourspace('rgb16').png().toBuffer(),
    ]) {
      const image = await decodeUploadedImage(bytes, 'x.png', limits);
      expect(image.rgb.data.length).toBe(5 * 4 * 3);
    }
  });

  it('applies EXIF orientation, as coco-data and the CLI do', async () => {
    const rotated = await sharp({ create: { width: 6, height: 2, channels: 3, background: '#336699' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const image = await decodeUploadedImage(rotated, 'rotated.jpg', limits);
    expect([image.rgb.width, image.rgb.height]).toEqual([2, 6]);
  });

  it('refuses what is not an image, whatever its name says', async () => {
    expect(await failureCode(Buffer.from('this is a text file, not a JPEG'))).toBe('DEMO_NOT_AN_IMAGE');
    expect(await failureCode(Buffer.alloc(0))).toBe('DEMO_NOT_AN_IMAGE');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>',
    );
    expect(await failureCode(svg)).toBe('DEMO_NOT_AN_IMAGE');
  });

  it('refuses images over the pixel cap from the header alone', async () => {
    const huge = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(huge.length).toBeLessThan(1024 * 1024);
    expect(await failureCode(huge)).toBe('DEMO_IMAGE_TOO_LARGE');
    expect(await failureCode(cats, 1000)).toBe('DEMO_IMAGE_TOO_LARGE');
  });

  it('refuses a truncated image as unreadable', async () => {
    expect(await failureCode(cats.subarray(0, Math.floor(cats.length / 2)))).toBe('DEMO_IMAGE_UNREADABLE');
  });
});
