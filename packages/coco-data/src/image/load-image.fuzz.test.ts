// Fuzzed image inputs of loadImageRgb (sharp): random bytes, random paths, bit-flipped and truncated real
// JPEG / PNG / WebP / GIF / TIFF / AVIF files, and headers claiming other sizes. Every input gives an RGB
// image of the size it claims, within imagePixelLimit of its byte count, or a typed error naming the input.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { byteMutations, fuzzTimeout, mutateBytes, ParserFuzz } from '../../../../tools/fuzz/fuzz-harness';
import { ImageDecodeError, ImageReadError, ImageTooLargeError } from '../errors';
import { imagePixelLimit, loadImageRgb, type RgbImage } from './load-image';

const fuzz = new ParserFuzz({
  package: '@tasam/coco-data',
  parser: 'images (loadImageRgb)',
  isTyped: (error) =>
    error instanceof ImageDecodeError ||
    error instanceof ImageReadError ||
    error instanceof ImageTooLargeError,
});
afterAll(() => fuzz.report());

const nameOf = (bytes: Uint8Array) => `<buffer of ${bytes.length} bytes>`;

/** A decoded image is whole RGB of a size its input could hold. */
const wellFormed =
  (input: Uint8Array) =>
  (image: RgbImage): string | undefined => {
    const { width, height, data } = image;
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
      return `size ${width} x ${height}`;
    if (data.length !== width * height * 3) return `${data.length} bytes of RGB for ${width} x ${height}`;
    if (width * height > imagePixelLimit(input))
      return `${width * height} pixels from ${input.length} bytes, over the limit`;
    return undefined;
  };

const load = (bytes: Uint8Array) =>
  fuzz.runAsync(nameOf(bytes), () => loadImageRgb(bytes), { check: wellFormed(bytes) });

const byteOps = byteMutations(3);

const REAL_JPEG = readFileSync(join(__dirname, '../../test/fixtures/coco/val2017/000000404484.jpg'));
let samples: Buffer[] = [];

beforeAll(async () => {
  // A small noisy picture in every format sharp writes, so mutations reach each decoder.
  const raw = Buffer.alloc(40 * 30 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  const picture = () => sharp(raw, { raw: { width: 40, height: 30, channels: 3 } });
  samples = await Promise.all([
    picture().jpeg({ quality: 80 }).toBuffer(),
    picture().jpeg({ progressive: true }).toBuffer(),
    picture().png().toBuffer(),
    picture().ensureAlpha().png().toBuffer(),
    picture().webp().toBuffer(),
    picture().webp({ lossless: true }).toBuffer(),
    picture().gif().toBuffer(),
    picture().tiff({ compression: 'lzw' }).toBuffer(),
    picture().avif({ effort: 0 }).toBuffer(),
  ]);
});

/** The PNG chunk CRC (ISO 3309). */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A copy of a PNG or JPEG whose header claims width x height (PNG: with a valid IHDR CRC). */
function withClaimedSize(file: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(file);
  if (out.readUInt32BE(0) === 0x89504e47) {
    out.writeUInt32BE(width >>> 0, 16);
    out.writeUInt32BE(height >>> 0, 20);
    out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
    return out;
  }
  for (let i = 2; i + 9 < out.length; i++) {
    // SOF0 / SOF2: FF C0|C2, length, precision, height, width.
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(height & 0xffff, i + 5);
      out.writeUInt16BE(width & 0xffff, i + 7);
      break;
    }
  }
  return out;
}

describe('images under fuzzing', () => {
  it(
    'reject random bytes and unreadable paths with a typed error',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 512 }),
            fc.string({ maxLength: 40 }).map((s) => join(tmpdir(), 'tasam-fuzz-missing', s)),
            fc.constantFrom('', '.', '/', tmpdir()),
          ),
          (input) =>
            typeof input === 'string'
              ? fuzz.runAsync(input, () => loadImageRgb(input), { check: wellFormed(new Uint8Array(0)) })
              : load(input),
        ),
        fuzz.property('random bytes and paths'),
      );
    },
    fuzzTimeout(20),
  );

  it(
    'decode or reject bit-flipped and truncated real JPEGs',
    async () => {
      await fc.assert(
        fc.asyncProperty(byteOps, (ops) => load(mutateBytes(REAL_JPEG, ops))),
        fuzz.property('mutated real JPEG'),
      );
    },
    fuzzTimeout(20),
  );

  it(
    'decode or reject mutated PNG, WebP, GIF, TIFF, AVIF and progressive JPEG files',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), byteOps, (which, ops) =>
          load(mutateBytes(samples[which % samples.length], ops)),
        ),
        fuzz.property('mutated formats'),
      );
    },
    fuzzTimeout(20),
  );

  it(
    'refuse headers that claim far more pixels than their bytes hold, before decoding',
    async () => {
      const dimension = fc.oneof(
        fc.integer({ min: 0, max: 70_000 }),
        fc.constantFrom(0, 1, 16_383, 16_384, 65_535, 2 ** 31, 2 ** 32 - 1),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(0, 1, 2, 3), dimension, dimension, (which, width, height) =>
          load(withClaimedSize([REAL_JPEG, samples[0], samples[1], samples[2]][which], width, height)),
        ),
        fuzz.property('claimed sizes'),
      );
    },
    fuzzTimeout(20),
  );

  it('names a 265-byte JPEG claiming 16000 x 16000 pixels a decompression bomb (regression)', async () => {
    const bomb = withClaimedSize(samples[0], 16_000, 16_000);
    const error = await loadImageRgb(bomb).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect((error as Error).message).toContain('16000 x 16000 = 256000000 pixels');
    expect((error as Error).message).toContain(nameOf(bomb));
  });
});
