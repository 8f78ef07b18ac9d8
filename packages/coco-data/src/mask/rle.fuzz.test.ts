// Fuzzed RLE counts, the two forms COCO files hold: compressed strings (maskApi's rleFrString codec) and
// uncompressed run-length arrays. Every input gives an Rle that decodes (or overruns with a typed error) or a
// typed error; nothing allocates beyond the input's size.
import fc from 'fast-check';
import {
  byteMutations,
  fuzzTimeout,
  HOSTILE_VALUES,
  jsonMutations,
  mutateBytes,
  mutateJson,
  ParserFuzz,
} from '../../../../tools/fuzz/fuzz-harness';
import { InvalidRleError, InvalidSegmentationError } from '../errors';
import { decodeMask, encodeMask } from './encode';
import { type CompressedRle, Rle, type UncompressedRle } from './rle';
import { compressRle, decompressRle } from './string-codec';
import { rleFromUncompressed } from './uncompressed';

const isTyped = (error: unknown) =>
  error instanceof InvalidRleError || error instanceof InvalidSegmentationError;
const compressed = new ParserFuzz({
  package: '@tasam/coco-data',
  parser: 'RLE counts (compressed strings)',
  isTyped,
});
const uncompressed = new ParserFuzz({
  package: '@tasam/coco-data',
  parser: 'RLE counts (uncompressed arrays)',
  isTyped,
});
afterAll(() => {
  compressed.report();
  uncompressed.report();
});

/** Masks small enough to decode in every case: decoding is part of using what was parsed. */
const DECODE_LIMIT = 1 << 16;

/** Parses, then decodes the mask when it is small (an overrun is a typed error, as in pycocotools). */
function parseAndDecode(parse: () => Rle): Rle {
  const rle = parse();
  if (rle.h * rle.w <= DECODE_LIMIT) decodeMask(rle);
  return rle;
}

/** The codec is a bijection on counts: what was decoded encodes and decodes to the same counts. */
function roundTrips(rle: Rle): string | undefined {
  const again = decompressRle(compressRle(rle));
  const same = again.counts.length === rle.counts.length && again.counts.every((c, i) => c === rle.counts[i]);
  return same ? undefined : `counts ${rle.counts} re-encode to ${again.counts}`;
}

const size = fc.oneof(
  { arbitrary: fc.tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 })), weight: 5 },
  fc.tuple(fc.constantFrom(...HOSTILE_VALUES), fc.constantFrom(...HOSTILE_VALUES)),
  fc.constantFrom(...HOSTILE_VALUES),
  fc.constant([2 ** 32 - 1, 2 ** 32 - 1]),
);
const alphabet = fc.constantFrom(...Array.from({ length: 64 }, (_, i) => String.fromCharCode(48 + i)));
const codecString = fc.oneof(
  fc.string({ unit: alphabet, maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ maxLength: 16 }),
);
const byteOps = byteMutations(4);
const jsonOps = jsonMutations({
  replacement: fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.jsonValue({ maxDepth: 2 })),
  factors: [-1, 0, 0.5, 1e3, 2 ** 32, Number.NaN],
  maxDepth: 40,
  maxLength: 4,
});

/** A random mask and its RLE, the valid inputs mutations start from. */
const validRle = fc
  .tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 }), fc.integer())
  .map(([h, w, seed]) => {
    let s = seed >>> 0;
    const mask = Uint8Array.from({ length: h * w }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s >>> 30 === 0 ? 1 : 0;
    });
    return encodeMask(mask, h, w);
  });

describe('compressed RLE counts under fuzzing', () => {
  it(
    'decode random strings of any size, or reject them with a typed error',
    () => {
      fc.assert(
        fc.property(codecString, size, (counts, size) =>
          compressed.run(
            undefined,
            () => parseAndDecode(() => decompressRle({ size, counts } as CompressedRle)),
            { check: roundTrips },
          ),
        ),
        compressed.property('random strings'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decode mutated valid strings, or reject them with a typed error',
    () => {
      fc.assert(
        fc.property(validRle, byteOps, (rle, ops) => {
          const { counts, size } = compressRle(rle);
          const mutated = Buffer.from(mutateBytes(Buffer.from(counts, 'latin1'), ops)).toString('latin1');
          return compressed.run(
            undefined,
            () => parseAndDecode(() => decompressRle({ size, counts: mutated })),
            { check: roundTrips },
          );
        }),
        compressed.property('mutated strings'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'reject mutated and random RLE objects with a typed error',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            validRle.chain((rle) => jsonOps.map((ops) => mutateJson(compressRle(rle), ops))),
            fc.jsonValue({ maxDepth: 3 }),
            fc.constantFrom(...HOSTILE_VALUES),
          ),
          (value) =>
            compressed.run(undefined, () => parseAndDecode(() => decompressRle(value as CompressedRle)), {
              check: roundTrips,
            }),
        ),
        compressed.property('mutated objects'),
      );
    },
    fuzzTimeout(),
  );

  it('does not allocate for counts that claim huge runs (regression guard)', () => {
    // 'n' repeated: each character continues a number, so the string ends inside one.
    expect(() => decompressRle({ size: [1, 1], counts: 'n'.repeat(10) })).toThrow(InvalidRleError);
    // A huge first run is a valid count; decoding it on a 1 x 1 image is an overrun, not a 4 GB allocation.
    const huge = decompressRle({
      size: [1, 1],
      counts: compressRle(new Rle(1, 1, Uint32Array.of(2 ** 32 - 1))).counts,
    });
    expect(() => decodeMask(huge)).toThrow(/runs cover 4294967295 pixels, the image has 1/);
  });
});

describe('uncompressed RLE counts under fuzzing', () => {
  const countsOf = (values: unknown) => (rle: Rle) => {
    if (!Array.isArray(values)) return undefined;
    const same = rle.counts.length === values.length && rle.counts.every((c, i) => c === values[i]);
    return same ? undefined : `counts ${rle.counts} differ from the input ${values}`;
  };

  it(
    'take any list of integers in 0..2^32-1 verbatim and reject anything else with a typed error',
    () => {
      const count = fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 20 },
        fc.constantFrom(...HOSTILE_VALUES),
        fc.double(),
        fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
      );
      fc.assert(
        fc.property(fc.array(count, { maxLength: 24 }), size, (counts, size) =>
          uncompressed.run(
            undefined,
            () => parseAndDecode(() => rleFromUncompressed({ size, counts } as UncompressedRle)),
            { check: countsOf(counts) },
          ),
        ),
        uncompressed.property('random counts'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'reject mutated and random RLE objects with a typed error',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            validRle.chain((rle) =>
              jsonOps.map((ops) => mutateJson({ size: [rle.h, rle.w], counts: Array.from(rle.counts) }, ops)),
            ),
            fc.jsonValue({ maxDepth: 3 }),
            fc.constantFrom(...HOSTILE_VALUES),
          ),
          (value) =>
            uncompressed.run(
              undefined,
              () => parseAndDecode(() => rleFromUncompressed(value as UncompressedRle)),
              { check: countsOf((value as { counts?: unknown } | null)?.counts) },
            ),
        ),
        uncompressed.property('mutated objects'),
      );
    },
    fuzzTimeout(),
  );
});
