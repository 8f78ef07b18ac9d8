// Fuzzed COCO results JSON (what a detector or another tool wrote): random values, mutated valid segm and
// bbox files, mutated file text. Loading gives CocoResults whose every area and box can be read (pycocotools'
// loadRes computes them eagerly) or a typed error naming the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressRle, encodeMask, rleToUncompressed } from '@tasam/coco-data';
import { TasamError } from '@tasam/errors';
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
import { loadResultsFile } from './files';
import { GroundTruth } from './ground-truth';
import { type CocoResults, loadResults } from './results';

const SOURCE = 'fuzz/results.json';
const fuzz = new ParserFuzz({
  package: '@tasam/coco-eval',
  parser: 'results JSON',
  isTyped: TasamError.isInstance,
});
afterAll(() => fuzz.report());

const gt = new GroundTruth(
  {
    images: [
      { id: 1, height: 4, width: 6 },
      { id: 2, height: 48, width: 64 },
      { id: 3, height: 1, width: 1 },
    ],
    annotations: [{ id: 7, image_id: 1, category_id: 3, area: 4, bbox: [0, 0, 2, 2], iscrowd: 0 }],
    categories: [{ id: 3, name: 'cat' }],
  },
  'gt.json',
);

/** A 4 x 6 mask with a 2 x 3 block. */
const block = (() => {
  const mask = new Uint8Array(24);
  for (let y = 1; y <= 2; y++) for (let x = 2; x <= 4; x++) mask[y * 6 + x] = 1;
  return encodeMask(mask, 4, 6);
})();

const SEGM = [
  { image_id: 1, category_id: 3, score: 0.9, segmentation: compressRle(block) },
  { image_id: 1, category_id: 9, score: 0.4, segmentation: rleToUncompressed(block), bbox: [] },
  { image_id: 2, category_id: 3, score: 0.7, segmentation: [[1, 1, 30, 2, 20, 40, 2, 30]] },
  {
    image_id: 3,
    category_id: 3,
    score: 0.1,
    segmentation: { size: [1, 1], counts: '01' },
    bbox: [0, 0, 1, 1],
  },
];
const BBOX = [
  { image_id: 2, category_id: 3, score: 0.8, bbox: [3, 4, 20.5, 10] },
  { image_id: 1, category_id: 3, score: 0.6, bbox: [0, 0, 6, 4], segmentation: compressRle(block) },
  { image_id: 3, category_id: 5, score: 0.2, bbox: [0, 0, 0, 0] },
];

/** What loadRes computes for every result and COCOeval reads: its area, its box and its mask's source. */
function use(results: CocoResults): CocoResults {
  for (let i = 0; i < results.count; i++) {
    results.area(i);
    results.bbox(i);
    results.segmentation(i);
  }
  return results;
}

const hostile = hostileJsonValue({ min: -3, max: 70 });
const jsonOps = jsonMutations({
  replacement: hostile,
  factors: [-1, 0, 0.5, 1e3, 1e9, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY],
  maxDepth: 400,
  maxLength: 4,
});
const byteOps = byteMutations(4);

describe('results JSON under fuzzing', () => {
  it(
    'loads random values and result lists, or rejects them with a typed error naming the file',
    () => {
      const id = fc.oneof({ arbitrary: fc.constantFrom(1, 2, 3), weight: 12 }, hostile);
      const coordinate = fc.oneof(
        { arbitrary: fc.double({ min: -10, max: 80, noNaN: true }), weight: 12 },
        hostile,
      );
      const segmentation = fc.oneof(
        { arbitrary: fc.array(fc.array(coordinate, { maxLength: 10 }), { maxLength: 3 }), weight: 4 },
        {
          arbitrary: fc.record({
            size: fc.oneof(
              { arbitrary: fc.constantFrom([4, 6], [48, 64], [1, 1]), weight: 12 },
              fc.tuple(hostile, hostile),
              hostile,
            ),
            counts: fc.oneof(
              fc.string({
                unit: fc.constantFrom(...Array.from({ length: 64 }, (_, k) => String.fromCharCode(48 + k))),
              }),
              fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), hostile), { maxLength: 8 }),
              hostile,
            ),
          }),
          weight: 8,
        },
        hostile,
      );
      const result = fc.record(
        {
          image_id: id,
          category_id: fc.oneof({ arbitrary: fc.constantFrom(3, 5), weight: 12 }, hostile),
          score: fc.oneof({ arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 12 }, hostile),
          bbox: fc.oneof(fc.array(coordinate, { maxLength: 5 }), hostile),
          segmentation,
        },
        { requiredKeys: ['image_id', 'category_id', 'score'] },
      );
      fc.assert(
        fc.property(fc.oneof(fc.array(result, { maxLength: 5 }), hostile), (json) =>
          fuzz.run(SOURCE, () => use(loadResults(gt, json, SOURCE))),
        ),
        fuzz.property('random results'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'loads mutated segm and bbox results (deleted fields, wrong types, huge, negative, NaN, nesting)',
    () => {
      fc.assert(
        fc.property(fc.constantFrom(SEGM, BBOX), jsonOps, (valid, ops) => {
          const json = mutateJson(valid, ops);
          return fuzz.run(SOURCE, () => use(loadResults(gt, json, SOURCE)));
        }),
        fuzz.property('mutated results'),
      );
    },
    fuzzTimeout(),
  );

  it('names the file for masks that pycocotools would fail on (regressions)', () => {
    const cases: [unknown, unknown, RegExp][] = [
      [
        { size: [4, 6], counts: 'n' },
        undefined,
        /^fuzz\/results\.json: result 0: bad segmentation: .*ends inside a number/,
      ],
      [[[]], undefined, /^fuzz\/results\.json: result 0: the first polygon has 0 values/],
      [[[0, 0, 1e9, 0, 0, 1]], undefined, /result 0: a polygon has a coordinate beyond the ±429496728/],
      [
        { size: [4, 6], counts: [-1, 25] },
        undefined,
        /result 0: RLE counts must be .* run lengths in 0..2\^32-1/,
      ],
      [undefined, [0, 0, 5e8, 1], /result 0: bbox \[0, 0, 500000000, 1\] has a corner beyond/],
    ];
    for (const [segmentation, bbox, message] of cases) {
      const json = [{ image_id: 1, category_id: 3, score: 1, segmentation, bbox }];
      expect(() => use(loadResults(gt, json, SOURCE))).toThrow(message);
    }
  });

  describe('from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tasam-results-fuzz-'));
    const file = join(dir, 'results.json');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it(
      'loads mutated file text or rejects it with a typed error naming the file',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(SEGM, BBOX), byteOps, async (valid, ops) => {
            writeFileSync(file, mutateBytes(Buffer.from(JSON.stringify(valid)), ops));
            return fuzz.runAsync(file, async () => use(await loadResultsFile(gt, file)));
          }),
          fuzz.property('mutated text'),
        );
      },
      fuzzTimeout(),
    );
  });
});
