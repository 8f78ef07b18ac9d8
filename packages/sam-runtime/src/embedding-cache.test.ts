import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingCache } from './embedding-cache';

const modelDigest = 'ab'.repeat(32);
const image = { data: Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i), width: 4, height: 3 };
const embedding = { data: Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i / 7), dims: [2, 3, 4, 5] };

describe('EmbeddingCache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emb-cache-'));
  const cache = new EmbeddingCache(dir, modelDigest);
  const digest = EmbeddingCache.imageDigest(image);

  it('hashes pixels and size, not the file they came from', () => {
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(EmbeddingCache.imageDigest({ ...image, data: image.data.slice() })).toBe(digest);
    expect(EmbeddingCache.imageDigest({ data: image.data, width: 3, height: 4 })).not.toBe(digest);
  });

  it('misses, then round-trips an embedding exactly', () => {
    expect(cache.read(digest)).toEqual({ status: 'miss' });
    cache.write(digest, embedding);
    const found = cache.read(digest);
    expect(found.status).toBe('hit');
    if (found.status === 'hit') {
      expect(found.embedding.dims).toEqual(embedding.dims);
      expect(found.embedding.data).toEqual(embedding.data);
    }
  });

  it('rejects truncated, corrupted, foreign and other-model files', () => {
    const path = cache.pathFor(digest);
    const good = readFileSync(path);
    const expectInvalid = (bytes: Uint8Array, reason: RegExp, reader = cache) => {
      writeFileSync(path, bytes);
      const found = reader.read(digest);
      expect(found.status).toBe('invalid');
      if (found.status === 'invalid') expect(found.reason).toMatch(reason);
    };
    expectInvalid(good.subarray(0, good.length - 1), /truncated payload/);
    expectInvalid(good.subarray(0, 50), /truncated header/);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 0xff;
    expectInvalid(flipped, /checksum/);
    expectInvalid(Buffer.alloc(good.length, 7), /not a tasam embedding file/);
    const otherImage = Buffer.from(good);
    otherImage[40] ^= 1;
    expectInvalid(otherImage, /another image/);
    writeFileSync(path, good);
    const otherModel = new EmbeddingCache(dir, 'cd'.repeat(32));
    writeFileSync(otherModel.pathFor(digest), good);
    expect(otherModel.read(digest)).toEqual({ status: 'invalid', reason: 'written by another model' });
  });
});
