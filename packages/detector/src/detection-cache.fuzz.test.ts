// Fuzzed detection-cache entries: random bytes, bit-flipped and truncated files, and valid JSON entries whose
// fields were deleted, replaced by hostile values, scaled or nested. Every file reads as a hit whose detections are
// well-formed (finite, ordered corners, a COCO category, a score in 0-1), or as `invalid` with a reason; a read
// never throws.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COCO_CATEGORIES } from '@tasam/coco-data';
import fc from 'fast-check';
import {
  byteMutations,
  fuzzTimeout,
  hostileJsonValue,
  jsonMutations,
  mutateBytes,
  mutateJson,
  ParserFuzz,
} from '../../../tools/fuzz/fuzz-harness';
import { DetectionCache, type DetectionCacheRead } from './detection-cache';
import { resolveDetectOptions } from './options';

const fuzz = new ParserFuzz({ package: '@tasam/detector', parser: 'detection-cache entries' });
const dir = mkdtempSync(join(tmpdir(), 'tasam-det-fuzz-'));
afterAll(() => {
  fuzz.report();
  rmSync(dir, { recursive: true, force: true });
});

const cache = new DetectionCache(dir, ['centernet', 'nanodet']);
const digest = 'ab'.repeat(32);
const options = resolveDetectOptions({ categoryIds: [17, 18] }, 2);
const path = cache.pathFor(digest, options);
cache.write(digest, options, [
  { box: [1.5, 2.25, 100, 80], categoryId: 17, category: 'cat', score: 0.61 },
  { box: [10, 20, 30, 40], categoryId: 18, category: 'dog', score: 0.05 },
]);
const VALID_BYTES = Uint8Array.from(readFileSync(path));
const VALID_JSON = JSON.parse(Buffer.from(VALID_BYTES).toString('utf8')) as unknown;
const COCO_IDS = new Set(COCO_CATEGORIES.map((c) => c.id));

const readOptions = {
  rejected: (found: DetectionCacheRead) => found.status === 'invalid',
  check: (found: DetectionCacheRead) => {
    if (found.status === 'miss') return 'an existing file read as a miss';
    if (found.status === 'invalid')
      return found.reason.trim() === '' ? 'rejected without a reason' : undefined;
    for (const { box, categoryId, score } of found.detections) {
      if (!box.every(Number.isFinite) || !(box[0] < box[2] && box[1] < box[3])) return `box ${box}`;
      if (!COCO_IDS.has(categoryId)) return `category ${categoryId}`;
      if (!(score >= 0 && score <= 1)) return `score ${score}`;
    }
    return undefined;
  },
};

const read = (bytes: Uint8Array | string) =>
  fuzz.run(
    path,
    () => {
      writeFileSync(path, bytes);
      return cache.read(digest, options);
    },
    readOptions,
  );

const byteOps = byteMutations(4);

const hostile = hostileJsonValue({ min: -5, max: 100 });
const jsonOps = jsonMutations({
  replacement: hostile,
  factors: [-1, 0, 0.5, 2, 1e9, Number.NaN, Number.POSITIVE_INFINITY],
  maxDepth: 200,
  maxLength: 4,
});

describe('detection-cache entries under fuzzing', () => {
  it(
    'reject random bytes',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => read(bytes)),
        fuzz.property('random bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'reject bit-flipped, truncated and spliced entries, or read them as well-formed detections',
    () => {
      fc.assert(
        fc.property(byteOps, (ops) => read(mutateBytes(VALID_BYTES, ops))),
        fuzz.property('mutated bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'check every field of a JSON entry: deleted, replaced by hostile values, scaled, nested',
    () => {
      fc.assert(
        fc.property(jsonOps, (ops) => {
          let text: string;
          try {
            text = JSON.stringify(mutateJson(VALID_JSON, ops)) ?? 'undefined';
          } catch {
            text = '{'; // values JSON cannot hold (BigInt, cycles) reach the file as a broken entry
          }
          return read(text);
        }),
        fuzz.property('mutated JSON'),
      );
    },
    fuzzTimeout(),
  );
});
