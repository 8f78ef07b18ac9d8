import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CachedTextEncoder,
  createTextEncoder,
  TextEncoderBackendError,
  TextEncoderDisposedError,
  TextEncoderInputError,
  TextTooLongError,
} from '../src';

// Caching, batching and input handling around the real USE-lite model.
let encoder: CachedTextEncoder;
let cacheRoot: string;

beforeAll(async () => {
  cacheRoot = mkdtempSync(join(tmpdir(), 'tasam-text-vectors-'));
  encoder = await createTextEncoder({ cacheDir: cacheRoot, batchSize: 4 });
}, 60_000);

afterAll(async () => {
  await encoder?.dispose();
  rmSync(cacheRoot, { recursive: true, force: true });
});

describe('CachedTextEncoder over use-lite', () => {
  it('answers repeats from memory, and returns copies the caller may change', async () => {
    const [first] = await encoder.embed(['segment all zebras']);
    expect(encoder.lastStats).toEqual({ memoryHits: 0, diskHits: 0, encoded: 1, batches: 1 });
    first.fill(0);
    const [again] = await encoder.embed(['segment all zebras']);
    expect(encoder.lastStats).toEqual({ memoryHits: 1, diskHits: 0, encoded: 0, batches: 0 });
    expect(Math.hypot(...again)).toBeCloseTo(1, 5);
  });

  it('encodes a text once per call however often it appears, whitespace variants included', async () => {
    const vectors = await encoder.embed(['mask the giraffes', '  mask  the\tgiraffes ', 'mask the giraffes']);
    expect(encoder.lastStats.encoded).toBe(1);
    expect(vectors[1]).toEqual(vectors[0]);
    expect(vectors[2]).toEqual(vectors[0]);
  });

  it('splits large calls into batches of batchSize', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `highlight kite number ${i}`);
    const vectors = await encoder.embed(texts);
    expect(vectors).toHaveLength(10);
    expect(encoder.lastStats).toEqual({ memoryHits: 0, diskHits: 0, encoded: 10, batches: 3 });
  });

  it('keeps vectors on disk, keyed by encoder id and text, for the next encoder', async () => {
    const texts = ['outline every boat', 'select the traffic lights'];
    const written = await encoder.embed(texts);
    expect(existsSync(encoder.diskCache!.pathFor('outline every boat'))).toBe(true);
    const next = await createTextEncoder({ cacheDir: cacheRoot });
    try {
      const read = await next.embed(texts);
      expect(next.lastStats).toEqual({ memoryHits: 0, diskHits: 2, encoded: 0, batches: 0 });
      expect(read).toEqual(written);
    } finally {
      await next.dispose();
    }
  });

  it('returns [] for no texts and rejects bad input with typed errors before running the model', async () => {
    await expect(encoder.embed([])).resolves.toEqual([]);
    await expect(encoder.embed(['dogs', '   '])).rejects.toBeInstanceOf(TextEncoderInputError);
    await expect(encoder.embed([7 as unknown as string])).rejects.toThrow(
      'texts[0]: must be a string, got number 7',
    );
    await expect(encoder.embed('dogs' as unknown as string[])).rejects.toBeInstanceOf(TextEncoderInputError);
    await expect(encoder.embed(['x'.repeat(5000)])).rejects.toBeInstanceOf(TextTooLongError);
  });

  it('encodes a text at the length limit (4096 characters) in full', async () => {
    const long = Array.from({ length: 820 }, (_, i) => ['red', 'apple', 'dog', 'car'][i % 4])
      .join(' ')
      .slice(0, 4096);
    const [vector] = await encoder.embed([long]);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
  }, 60_000);

  it('refuses an unknown backend name', async () => {
    await expect(createTextEncoder({ backend: 'word2vec' as 'minilm' })).rejects.toBeInstanceOf(
      TextEncoderBackendError,
    );
  });

  it('refuses to embed after dispose', async () => {
    const short = await createTextEncoder();
    await short.dispose();
    await short.dispose();
    await expect(short.embed(['dogs'])).rejects.toBeInstanceOf(TextEncoderDisposedError);
  });
});
