import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { legendSvg, writeTaskOverlayPng } from './task-overlay';

describe('task overlay', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tasam-overlay-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('draws the instances in palette order under a legend with the task and scores, at the image size', async () => {
    const width = 320;
    const height = 200;
    const image = { width, height, data: new Uint8Array(width * height * 3).fill(128) };
    const right = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 200; x < width; x++) right[y * width + x] = 1;
    const path = join(dir, 'out.png');
    await writeTaskOverlayPng(path, image, [
      { task: 'highlight every suitcase', instances: [{ mask: right, score: 0.91 }] },
    ]);
    const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([width, height]);
    const at = (x: number, y: number) =>
      Array.from(data.subarray((y * width + x) * info.channels, (y * width + x) * info.channels + 3));
    // Inside the mask, far from the legend: grey blended half-way with the first palette colour (30,144,255).
    expect(at(260, 180)).toEqual([79, 136, 192]);
    // Outside the mask and the legend: the image.
    expect(at(100, 190)).toEqual([128, 128, 128]);
    // The legend panel darkens the top-left corner.
    expect(at(2, 2)[0]).toBeLessThan(80);
  });

  it('lists at most 8 instances and says how many more', () => {
    const { svg } = legendSvg('segment all <cats>', [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05], 640);
    expect(svg).toContain('“segment all &lt;cats&gt;”: 10 instances');
    expect(svg).toContain('#8  score 0.200');
    expect(svg).not.toContain('#9 ');
    expect(svg).toContain('+2 more');
  });
});
