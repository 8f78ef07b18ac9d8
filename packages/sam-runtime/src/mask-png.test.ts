import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TasamError } from '@tasam/errors';
import sharp from 'sharp';
import { OVERLAY_PALETTE, renderOverlay, writeLabelPng, writeMaskPng, writeOverlayPng } from './mask-png';

const dir = mkdtempSync(join(tmpdir(), 'mask-png-'));
const width = 6;
const height = 4;
const mask = Uint8Array.from({ length: width * height }, (_, i) =>
  i % width >= 2 && i % width <= 4 && i >= width ? 1 : 0,
);
const image = { data: new Uint8Array(width * height * 3).fill(100), width, height };

describe('writeMaskPng', () => {
  it('writes a grayscale PNG with 255 inside and 0 outside', async () => {
    const path = join(dir, 'mask.png');
    await writeMaskPng(path, mask, { width, height });
    const meta = await sharp(path).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels, meta.space]).toEqual([
      'png',
      width,
      height,
      1,
      'b-w',
    ]);
    const data = await sharp(path).extractChannel(0).raw().toBuffer();
    expect(Array.from(data)).toEqual(Array.from(mask, (v) => v * 255));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects a mask of the wrong size and an unwritable path', async () => {
    await expect(writeMaskPng(join(dir, 'x.png'), mask.subarray(1), { width, height })).rejects.toThrow(
      /expected 6x4 = 24 bytes/,
    );
    const underAFile = join(dir, 'mask.png', 'm.png'); // mask.png is a file, not a directory
    const error = await writeMaskPng(underAFile, mask, { width, height }).catch((e) => e);
    expect(TasamError.hasCode(error, 'OUTPUT_WRITE_FAILED')).toBe(true);
    expect(error.message).toMatch(new RegExp(`^${underAFile}: cannot write`));
  });
});

describe('renderOverlay', () => {
  it('blends the mask colour inside, outlines edges opaquely, leaves the outside alone', () => {
    const tall = { data: new Uint8Array(5 * 5 * 3).fill(100), width: 5, height: 5 };
    const block = Uint8Array.from({ length: 25 }, (_, i) =>
      i % 5 >= 1 && i % 5 <= 3 && i >= 5 && i < 20 ? 1 : 0,
    );
    const out = renderOverlay(tall, [block], { alpha: 0.5 });
    const pixel = (x: number, y: number) => Array.from(out.subarray((y * 5 + x) * 3, (y * 5 + x) * 3 + 3));
    const [r, g, b] = OVERLAY_PALETTE[0];
    expect(pixel(0, 0)).toEqual([100, 100, 100]);
    expect(pixel(2, 2)).toEqual([Math.round(50 + r / 2), Math.round(50 + g / 2), Math.round(50 + b / 2)]);
    expect(pixel(1, 1)).toEqual([r, g, b]);
  });

  it('marks prompts and writes an RGB PNG', async () => {
    const path = join(dir, 'overlay.png');
    await writeOverlayPng(path, image, [mask], { points: [{ x: 0, y: 0, label: 0 }], box: [0, 0, 5, 3] });
    const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
    expect(Array.from(data.subarray(0, 3))).toEqual([230, 0, 0]); // background point, red
  });
});

describe('writeLabelPng', () => {
  it('labels each pixel with 1 + the first covering mask', async () => {
    const path = join(dir, 'labels.png');
    const first = Uint8Array.from([1, 1, 0, 0]);
    const second = Uint8Array.from([0, 1, 1, 0]);
    await writeLabelPng(path, [first, second], { width: 2, height: 2 });
    expect(Array.from(await sharp(path).extractChannel(0).raw().toBuffer())).toEqual([1, 1, 2, 0]);
  });
});
