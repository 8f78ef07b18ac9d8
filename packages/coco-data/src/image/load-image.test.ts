import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ImageDecodeError, ImageReadError } from '../errors';
import { loadImageRgb, type RgbImage } from './load-image';

const fixture = join(__dirname, '../../test/fixtures/coco/val2017/000000404484.jpg');

function pixel(image: RgbImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(i, i + 3));
}

function expectNear(actual: number[], expected: number[], tolerance: number): void {
  for (let c = 0; c < 3; c++) expect(Math.abs(actual[c] - expected[c])).toBeLessThanOrEqual(tolerance);
}

/** A w x h RGB image: left half red, right half blue. */
function halves(w: number, h: number): Buffer {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set(x < w / 2 ? [220, 20, 20] : [20, 20, 220], (y * w + x) * 3);
  }
  return data;
}

describe('loadImageRgb', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coco-data-image-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes a COCO JPEG to interleaved 8-bit RGB, same as sharp', async () => {
    const image = await loadImageRgb(fixture);
    expect([image.width, image.height]).toEqual([320, 240]);
    expect(image.data).toBeInstanceOf(Uint8Array);
    expect(image.data.length).toBe(320 * 240 * 3);
    const reference = await sharp(fixture).raw().toBuffer();
    expect(Buffer.from(image.data).equals(reference)).toBe(true);
    const fromBuffer = await loadImageRgb(readFileSync(fixture));
    expect(fromBuffer.data).toEqual(image.data);
  });

  it('rotates by EXIF orientation', async () => {
    const jpeg = await sharp(halves(64, 32), { raw: { width: 64, height: 32, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const image = await loadImageRgb(jpeg);
    // Orientation 6 is displayed rotated 90 degrees clockwise: the left (red) half ends on top.
    expect([image.width, image.height]).toEqual([32, 64]);
    expectNear(pixel(image, 16, 10), [220, 20, 20], 12);
    expectNear(pixel(image, 16, 54), [20, 20, 220], 12);
  });

  it('expands greyscale to three equal channels', async () => {
    const grey = Buffer.from([0, 64, 128, 255]);
    const png = await sharp(grey, { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(1);
    const image = await loadImageRgb(png);
    expect(Array.from(image.data)).toEqual([0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255]);
  });

  it('converts CMYK JPEGs to RGB', async () => {
    const cmyk = await sharp(halves(32, 16), { raw: { width: 32, height: 16, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const image = await loadImageRgb(cmyk);
    expect([image.width, image.height]).toEqual([32, 16]);
    // Without an embedded profile the round trip through CMYK shifts colours; the hues survive.
    const [r1, g1, b1] = pixel(image, 4, 8);
    expect(r1).toBeGreaterThan(Math.max(g1, b1) + 100);
    const [r2, g2, b2] = pixel(image, 28, 8);
    expect(b2).toBeGreaterThan(Math.max(r2, g2) + 60);
    const reference = await sharp(cmyk).toColourspace('srgb').raw().toBuffer();
    expect(Buffer.from(image.data).equals(reference)).toBe(true);
  });

  it('reduces 16-bit PNGs to 8 bits', async () => {
    const values = new Uint16Array([0, 257 * 100, 65535, 257 * 30, 257 * 200, 257 * 7]);
    // A Uint16Array as raw input is read as 16-bit samples.
    const png = await sharp(values, { raw: { width: 2, height: 1, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png).metadata()).depth).toBe('ushort');
    const image = await loadImageRgb(png);
    expect(Array.from(image.data)).toEqual([0, 100, 255, 30, 200, 7]);
  });

  it('composites alpha onto white', async () => {
    const rgba = Buffer.from([10, 200, 30, 255, 10, 200, 30, 0]);
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    const image = await loadImageRgb(png);
    expect(Array.from(image.data)).toEqual([10, 200, 30, 255, 255, 255]);
  });

  it('reads WebP', async () => {
    const raw = halves(8, 4);
    const webp = await sharp(raw, { raw: { width: 8, height: 4, channels: 3 } })
      .webp({ lossless: true })
      .toBuffer();
    const image = await loadImageRgb(webp);
    expect(Buffer.from(image.data).equals(raw)).toBe(true);
  });

  it('gives typed errors for corrupt, truncated and missing images', async () => {
    const bytes = readFileSync(fixture);
    const truncated = join(dir, 'truncated.jpg');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(loadImageRgb(truncated)).rejects.toThrow(ImageDecodeError);
    await expect(loadImageRgb(truncated)).rejects.toThrow(/truncated\.jpg: not a decodable image/);
    await expect(loadImageRgb(Buffer.from('definitely not an image'))).rejects.toThrow(ImageDecodeError);
    await expect(loadImageRgb(join(dir, 'missing.jpg'))).rejects.toThrow(ImageReadError);
    await expect(loadImageRgb(dir)).rejects.toThrow(ImageReadError);
  });
});
