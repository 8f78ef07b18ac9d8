// Fuzzed embedding-cache files: random bytes, bit-flipped and truncated entries, and entries whose header
// fields (version, dtype, rank, dims, payload size) were rewritten with a fresh checksum so the checks behind
// the checksum are reached. Every file reads as a hit whose data matches its dims, or as `invalid` with a
// reason; a read never throws and never allocates more than the file holds.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { byteMutations, fuzzTimeout, mutateBytes, ParserFuzz } from '../../../tools/fuzz/fuzz-harness';
import { EmbeddingCache, type EmbeddingCacheRead } from './embedding-cache';

const fuzz = new ParserFuzz({ package: '@tasam/sam-runtime', parser: 'embedding-cache files' });
const dir = mkdtempSync(join(tmpdir(), 'tasam-emb-fuzz-'));
afterAll(() => {
  fuzz.report();
  rmSync(dir, { recursive: true, force: true });
});

const cache = new EmbeddingCache(dir, 'cd'.repeat(32));
const digest = 'ab'.repeat(32);
const path = cache.pathFor(digest);
const embedding = { data: Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i / 7), dims: [2, 3, 4, 5] };
cache.write(digest, embedding);
const VALID = Uint8Array.from(readFileSync(path));

/** A hit's data is exactly its dims' worth of floats; a rejection says why. */
const options = {
  rejected: (found: EmbeddingCacheRead) => found.status === 'invalid',
  check: (found: EmbeddingCacheRead) => {
    if (found.status === 'miss') return 'an existing file read as a miss';
    if (found.status === 'invalid')
      return found.reason.trim() === '' ? 'rejected without a reason' : undefined;
    const { data, dims } = found.embedding;
    if (dims.length !== 4 || !dims.every((d) => Number.isInteger(d) && d >= 0)) return `dims ${dims}`;
    if (data.length !== dims.reduce((p, d) => p * d, 1)) return `${data.length} floats for dims ${dims}`;
    return undefined;
  },
};

const read = (bytes: Uint8Array) =>
  fuzz.run(
    path,
    () => {
      writeFileSync(path, bytes);
      return cache.read(digest);
    },
    options,
  );

const byteOps = byteMutations(4);

describe('embedding-cache files under fuzzing', () => {
  it(
    'reject random bytes, with or without the magic',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (body, magic) => {
          const bytes = magic ? Uint8Array.from([...Buffer.from('TASAMEMB'), ...body]) : body;
          return read(bytes);
        }),
        fuzz.property('random bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'reject bit-flipped, truncated and spliced entries',
    () => {
      fc.assert(
        fc.property(byteOps, (ops) => read(mutateBytes(VALID, ops))),
        fuzz.property('mutated bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'check header fields behind a valid checksum: version, dtype, rank, dims, payload size',
    () => {
      const u32 = fc.oneof(
        fc.constantFrom(0, 1, 2, 3, 4, 5, 120, 480, 2 ** 31, 2 ** 32 - 1),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      );
      const field = fc.constantFrom(8, 12, 16, 20, 24, 28, 32, 100);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(field, u32), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: -24, max: 24 }),
          (changes, grow) => {
            const header = Buffer.from(VALID.subarray(0, 136));
            for (const [offset, value] of changes) header.writeUInt32LE(value, offset);
            let payload = Buffer.from(VALID.subarray(136));
            payload =
              grow >= 0
                ? Buffer.concat([payload, Buffer.alloc(grow * 4)])
                : payload.subarray(0, payload.length + grow);
            createHash('sha256').update(payload).digest().copy(header, 104);
            return read(Buffer.concat([header, payload]));
          },
        ),
        fuzz.property('rewritten headers'),
      );
    },
    fuzzTimeout(),
  );

  it('rejects a header claiming a 4 GB payload without reading or allocating it (regression guard)', () => {
    const header = Buffer.from(VALID.subarray(0, 136));
    for (const offset of [20, 24, 28, 32]) header.writeUInt32LE(1024, offset);
    header.writeUInt32LE(2 ** 32 - 4, 100);
    writeFileSync(path, header);
    expect(cache.read(digest)).toEqual({ status: 'invalid', reason: 'payload size does not match dims' });
  });
});
