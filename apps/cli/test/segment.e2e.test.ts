import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeMask, decompressRle, rleArea, rleToBbox } from '@tasam/coco-data';
import sharp from 'sharp';

const bin = join(__dirname, '..', 'dist', 'bin.js');
const offline = join(__dirname, 'forbid-network.cjs');
const cats = resolve(__dirname, '..', '..', '..', 'examples', 'cats.jpg');

// The real encoder runs once (cold); the rest reuse the cached embedding and prepared trunk.
jest.setTimeout(240_000);

interface Report {
  image: { width: number; height: number };
  mode: string;
  masks: { rle: { size: [number, number]; counts: string }; score: number; bbox: number[]; area: number }[];
  embeddingCache: string;
  timings: Record<string, number>;
}

describe('tasam segment as a subprocess (offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'tasam-segment-e2e-'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--require', offline, bin, 'segment', ...args], {
      encoding: 'utf8',
      env: { ...process.env, TASAM_CACHE: join(work, 'cache'), NO_COLOR: '1' },
    });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let cold: Report;

  it('segments from a point, writes the mask and overlay PNGs, prints JSON', async () => {
    const mask = join(work, 'mask.png');
    const overlay = join(work, 'overlay.png');
    const result = run(cats, '--point', '240,150', '--out', mask, '--overlay', overlay, '--json');
    expect(result.stderr).toContain('prepared the decoder trunk');
    expect(result.status).toBe(0);
    cold = JSON.parse(result.stdout) as Report;
    expect(cold.embeddingCache).toBe('miss');
    expect(cold.image).toMatchObject({ width: 640, height: 371 });
    expect(cold.masks).toHaveLength(1);
    const [best] = cold.masks;
    expect(best.rle.size).toEqual([371, 640]);
    expect(typeof best.rle.counts).toBe('string');
    const rle = decompressRle(best.rle);
    expect(rleArea(rle)).toBe(best.area);
    expect(rleToBbox(rle)).toEqual(best.bbox);
    expect(best.score).toBeGreaterThan(0.8);
    expect(Object.keys(cold.timings)).toEqual(expect.arrayContaining(['embedMs', 'decodeMs', 'totalMs']));

    // The PNG holds exactly the RLE's mask.
    const png = await sharp(mask).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([png.info.width, png.info.height]).toEqual([640, 371]);
    const decoded = decodeMask(rle);
    let mismatches = 0;
    for (let i = 0; i < decoded.length; i++) if ((png.data[i] === 255 ? 1 : 0) !== decoded[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect((await sharp(overlay).metadata()).width).toBe(640);
    expect(readdirSync(join(work, 'cache', 'embeddings')).some((f) => f.endsWith('.emb'))).toBe(true);
  });

  it('reuses the cached embedding; --multimask gives three masks, best first, the best one as before', () => {
    const result = run(cats, '--point', '240,150', '--multimask', '--json');
    expect(result.status).toBe(0);
    const warm = JSON.parse(result.stdout) as Report;
    expect(warm.embeddingCache).toBe('hit');
    expect(warm.masks).toHaveLength(3);
    expect(warm.masks[0].score).toBeGreaterThanOrEqual(warm.masks[1].score);
    expect(warm.masks[1].score).toBeGreaterThanOrEqual(warm.masks[2].score);
    expect(warm.masks[0].rle).toEqual(cold.masks[0].rle);
  });

  it('takes a box with a background point and prints a readable summary', () => {
    const result = run(cats, '--box', '300,20,620,300', '--point', '100,300,0');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /cats\.jpg \(640x371\): 1 mask\n +1 +score 0\.\d{3} +stability 0\.\d{3} +area \d+ +box \d+,\d+,\d+,\d+/,
    );
    expect(result.stdout).toContain('embedding from cache');
  });

  it('--everything finds several objects, sorted by score, with a label PNG', async () => {
    const labels = join(work, 'labels.png');
    const result = run(cats, '--everything', '--grid', '4', '--out', labels, '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.mode).toBe('everything');
    expect(report.masks.length).toBeGreaterThan(1);
    for (let i = 1; i < report.masks.length; i++) {
      expect(report.masks[i - 1].score).toBeGreaterThanOrEqual(report.masks[i].score);
    }
    const values = new Set(await sharp(labels).extractChannel(0).raw().toBuffer());
    expect(values.has(1)).toBe(true);
    expect(Math.max(...values)).toBeLessThanOrEqual(report.masks.length);
  });

  it('exits non-zero with a clear message on bad input', () => {
    const outside = run(cats, '--point', '10,400');
    expect(outside.status).toBe(1);
    expect(outside.stderr).toBe('tasam: prompt point 1 (10, 400): outside the 640x371 image\n');
    const box = run(cats, '--box', '1,2,3,x');
    expect(box.status).toBe(2);
    expect(box.stderr).toContain('expected x0,y0,x1,y1 (four numbers); got "1,2,3,x".');
    const missing = run(join(work, 'nope.jpg'), '--point', '1,1');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nope.jpg: cannot read image file');
  });
});
