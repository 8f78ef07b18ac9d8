// Fuzzed polygons and boxes (COCO `segmentation` lists): every input gives an Rle of the asked size or a
// typed error, within bounded memory, and on ordinary coordinates the mask is exactly the one of pycocotools'
// dense boundary walk (test/polygon-reference.ts).
import fc from 'fast-check';
import {
  fuzzTimeout,
  HOSTILE_VALUES,
  jsonMutations,
  mutateJson,
  ParserFuzz,
} from '../../../../tools/fuzz/fuzz-harness';
import realSegmentations from '../../test/fixtures/real_coco_segmentations.json';
import { referenceRleFromPolygon } from '../../test/polygon-reference';
import { InvalidRleError, InvalidSegmentationError } from '../errors';
import { MAX_POLYGON_COORDINATE, rleFromBbox, rleFromPolygon } from './polygon';
import type { Bbox, Rle } from './rle';
import { rleFromSegmentation, type Segmentation } from './segmentation';

const fuzz = new ParserFuzz({
  package: '@tasam/coco-data',
  parser: 'polygons',
  isTyped: (error) => error instanceof InvalidSegmentationError || error instanceof InvalidRleError,
});
afterAll(() => fuzz.report());

/** Counts sum to h * w: the runs tile the image (what decodeMask and IoU rely on). */
function tiles(rle: Rle): string | undefined {
  let total = 0;
  for (const c of rle.counts) total += c;
  return total === rle.h * rle.w ? undefined : `counts sum to ${total}, not ${rle.h} * ${rle.w}`;
}

const coordinate = fc.oneof(
  fc.integer({ min: -20, max: 70 }),
  fc.double({ min: -20, max: 70, noNaN: true }),
  fc.double({ min: -3000, max: 3000, noNaN: true }),
  fc.constantFrom(0, 0.5, 1.5, -0.5, 2.4, 2.6, 0.1, -0.1),
);
const smallSize = fc.oneof(fc.integer({ min: 0, max: 48 }), fc.constantFrom(1, 640, 2 ** 20));

const hostileNumber = fc.oneof(
  fc.constantFrom(...HOSTILE_VALUES),
  fc.double(),
  fc.double({ min: -MAX_POLYGON_COORDINATE * 1.1, max: MAX_POLYGON_COORDINATE * 1.1, noNaN: true }),
  fc.integer({ min: -100, max: 1000 }),
);
const hostileSize = fc.oneof(
  fc.integer({ min: 0, max: 5000 }),
  fc.constantFrom(-1, 0.5, 2 ** 16, 2 ** 20, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, Number.NaN, 1e300),
);

describe('polygons under fuzzing', () => {
  it(
    'rasterise exactly as the dense walk of pycocotools on ordinary coordinates',
    () => {
      fc.assert(
        fc.property(
          fc.array(coordinate, { minLength: 0, maxLength: 24 }),
          smallSize,
          smallSize,
          (xy, h, w) =>
            h * w > 2 ** 32 - 1 ||
            fuzz.run(undefined, () => rleFromPolygon(xy, h, w), {
              check: (rle) => {
                const expected = referenceRleFromPolygon(xy, h, w);
                if (rle.h !== h || rle.w !== w) return `size [${rle.h}, ${rle.w}]`;
                const same =
                  rle.counts.length === expected.counts.length &&
                  rle.counts.every((c, i) => c === expected.counts[i]);
                return same ? undefined : `counts ${rle.counts} differ from the walk's ${expected.counts}`;
              },
            }),
        ),
        fuzz.property('same mask as the dense walk'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'give an Rle or a typed error for hostile polygons, sizes and segmentations, without big allocations',
    () => {
      const polygonList = fc.array(fc.array(hostileNumber, { maxLength: 14 }), { maxLength: 3 });
      const segmentation = fc.oneof(
        polygonList,
        fc.array(hostileNumber, { maxLength: 8 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom(...HOSTILE_VALUES),
      );
      fc.assert(
        fc.property(segmentation, hostileSize, hostileSize, (seg, h, w) =>
          fuzz.run(undefined, () => rleFromSegmentation(seg as Segmentation, h as number, w as number), {
            check: (rle) => (Array.isArray(seg) ? tiles(rle) : undefined),
          }),
        ),
        fuzz.property('hostile segmentations'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'give an Rle or a typed error for mutations of real COCO polygons',
    () => {
      const polygons = (realSegmentations.annotations as { segmentation: unknown }[])
        .map((a) => a.segmentation)
        .filter(Array.isArray);
      const ops = jsonMutations({
        replacement: fc.oneof(fc.constantFrom(...HOSTILE_VALUES), hostileNumber),
        factors: [-1, 0, 1e3, 1e6, 1e9, Number.NaN],
        maxDepth: 40,
        maxLength: 4,
      });
      fc.assert(
        fc.property(
          fc.constantFrom(...polygons),
          ops,
          fc.constantFrom([480, 640], [1, 1], [0, 640], [100000, 40000], [1, 2 ** 32 - 1]),
          (polygon, ops, [h, w]) => {
            const mutated = mutateJson(polygon, ops);
            return fuzz.run(undefined, () => rleFromSegmentation(mutated as Segmentation, h, w), {
              check: (rle) => (Array.isArray(mutated) ? tiles(rle) : undefined),
            });
          },
        ),
        fuzz.property('mutated real polygons'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'give an Rle or a typed error for hostile boxes',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.array(hostileNumber, { minLength: 4, maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
          hostileSize,
          hostileSize,
          (box, h, w) =>
            fuzz.run(undefined, () => rleFromBbox(box as Bbox, h as number, w as number), { check: tiles }),
        ),
        fuzz.property('hostile boxes'),
      );
    },
    fuzzTimeout(),
  );

  it('rejects far-away vertices and huge images before allocating (regression)', () => {
    // These made the dense walk allocate 16 bytes per boundary point: 12 GB and 37 s for the first.
    expect(rleFromPolygon([0, 0, 1e8, 0, 0, 1e8], 10, 10).counts).toEqual(
      referenceRleFromPolygon([0, 0, 100, 0, 0, 100], 10, 10).counts,
    );
    expect(() => rleFromPolygon([0, 0, 1e9, 0, 0, 1e9], 10, 10)).toThrow(/beyond the ±429496728/);
    expect(() => rleFromPolygon([0, 0, 4e8, 0, 0, 4e8], 1, 2 ** 32 - 1)).toThrow(
      /cross up to \d+ pixel columns, more than 16777216/,
    );
    expect(() => rleFromPolygon([0, 0, 1, 0, 0, 1], 2 ** 20, 2 ** 20)).toThrow(
      /do not fit the uint32 counts/,
    );
  });
});
