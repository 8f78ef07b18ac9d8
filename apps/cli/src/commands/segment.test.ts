import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { captureIO } from '../../test/capture-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';
import { parseBox, parsePoint } from './segment';

const cats = resolve(__dirname, '..', '..', '..', '..', 'examples', 'cats.jpg');

describe('segment argument parsers', () => {
  it('parses points with an optional label and collects repeats', () => {
    expect(parsePoint('10,20')).toEqual([{ x: 10, y: 20, label: 1 }]);
    expect(parsePoint(' 1.5 , 2 ,0', [{ x: 1, y: 1, label: 1 }])).toEqual([
      { x: 1, y: 1, label: 1 },
      { x: 1.5, y: 2, label: 0 },
    ]);
    expect(() => parsePoint('10')).toThrow('expected x,y or x,y,label with numbers; got "10".');
    expect(() => parsePoint('a,b')).toThrow(/expected x,y/);
    expect(() => parsePoint('1,2,3')).toThrow('label must be 1 (foreground) or 0 (background); got "1,2,3".');
  });

  it('parses boxes of four numbers', () => {
    expect(parseBox('1,2,30,40')).toEqual([1, 2, 30, 40]);
    expect(() => parseBox('1,2,3')).toThrow('expected x0,y0,x1,y1 (four numbers); got "1,2,3".');
    expect(() => parseBox('1,2,,4')).toThrow(/four numbers/);
  });
});

// These fail before any model is loaded, so they are fast.
describe('tasam segment input errors', () => {
  const run = async (...args: string[]) => {
    const io = captureIO({ TASAM_CACHE: mkdtempSync(join(tmpdir(), 'tasam-segment-')) });
    const code = await runCli(['segment', ...args], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('needs a prompt or --everything, not both', async () => {
    const none = await run(cats);
    expect(none.code).toBe(ExitCode.usage);
    expect(none.err).toContain('give at least one --point or a --box (or --everything)');
    const both = await run(cats, '--everything', '--point', '1,1');
    expect(both.code).toBe(ExitCode.usage);
    expect(both.err).toContain('--everything takes no --point or --box');
  });

  it('rejects a malformed box or point as a usage error', async () => {
    const box = await run(cats, '--box', '1,2,3');
    expect(box.code).toBe(ExitCode.usage);
    expect(box.err).toContain('expected x0,y0,x1,y1 (four numbers); got "1,2,3".');
    const point = await run(cats, '--point', '5;5');
    expect(point.code).toBe(ExitCode.usage);
  });

  it('names a point outside the image, an inverted box, a missing or corrupt image', async () => {
    const outside = await run(cats, '--point', '700,10');
    expect(outside.code).toBe(ExitCode.failure);
    expect(outside.err).toBe('tasam: prompt point 1 (700, 10): outside the 640x371 image\n');
    const inverted = await run(cats, '--box', '300,200,100,100');
    expect(inverted.code).toBe(ExitCode.failure);
    expect(inverted.err).toContain('prompt box 300,200,100,100: needs x0 < x1 and y0 < y1');
    const missing = await run('/no/such/image.jpg', '--point', '1,1');
    expect(missing.code).toBe(ExitCode.failure);
    expect(missing.err).toContain('/no/such/image.jpg: cannot read image file');
    const corrupt = join(mkdtempSync(join(tmpdir(), 'tasam-corrupt-')), 'broken.jpg');
    writeFileSync(corrupt, Buffer.from('\xff\xd8\xff\xe0 definitely not a jpeg', 'latin1'));
    const bad = await run(corrupt, '--point', '1,1');
    expect(bad.code).toBe(ExitCode.failure);
    expect(bad.err).toContain(`${corrupt}: not a decodable image`);
  });
});

describe('tasam segment --encoder-precision', () => {
  it('refuses an unknown precision as a usage error, in segment, embed and eval', async () => {
    for (const command of [
      ['segment', cats, '--point', '1,1'],
      ['embed', resolve(cats, '..')],
      ['eval', '--coco', '/nowhere'],
    ]) {
      const io = captureIO({ TASAM_CACHE: mkdtempSync(join(tmpdir(), 'tasam-precision-')) });
      expect(await runCli([...command, '--encoder-precision', 'fp16'], io)).toBe(ExitCode.usage);
      expect(io.err()).toContain("option '--encoder-precision <precision>' argument 'fp16' is invalid");
      expect(io.err()).toContain('fp32, int8');
    }
  });

  // Real encoder runs: int8 (the default, quantised on first use into the models cache), then fp32.
  it('runs the int8 encoder by default, fp32 on request, and caches their embeddings apart', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'tasam-int8-'));
    const run = async (...extra: string[]) => {
      const io = captureIO({ TASAM_CACHE: cache });
      const code = await runCli(['segment', cats, '--point', '240,150', '--json', ...extra], io);
      expect({ code, err: io.err() }).toMatchObject({ code: ExitCode.ok });
      return JSON.parse(io.out());
    };
    const int8 = await run();
    expect(int8).toMatchObject({ encoderPrecision: 'int8', embeddingCache: 'miss' });
    expect(int8.masks[0].score).toBeGreaterThan(0.5);
    expect(readdirSync(join(cache, 'models'))).toContainEqual(expect.stringMatching(/^sam-encoder-int8-v1-/));
    expect((await run('--encoder-precision', 'int8')).embeddingCache).toBe('hit');
    const fp32 = await run('--encoder-precision', 'fp32');
    expect(fp32).toMatchObject({ encoderPrecision: 'fp32', embeddingCache: 'miss' });
    fp32.masks[0].bbox.forEach((value: number, i: number) => {
      expect(Math.abs(value - int8.masks[0].bbox[i])).toBeLessThan(4); // the same object, give or take a pixel
    });
    expect(readdirSync(join(cache, 'embeddings')).filter((f) => f.endsWith('.emb'))).toHaveLength(2);
  });
});
