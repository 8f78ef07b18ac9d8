import {
  compressRle,
  decodeMask,
  encodeMask,
  Rle,
  rleArea,
  rleFromSegmentation,
  rleToBbox,
  rleToUncompressed,
  type Segmentation,
} from '@tasam/coco-data';
import fc from 'fast-check';
import { computePairIou, computePairIouWithRles, maskOf } from './evaluate-pair';
import { MaskRuns } from './mask-runs';
import type { EvalSettings, MaskSource, PairInput } from './pair-input';

// MaskRuns must give, for every mask, the area, box and IoU that @tasam/coco-data's Rle API (pycocotools'
// maskApi, checked against pycocotools' own vectors there) gives: compared here on random polygons, RLEs
// and pairs, and on the odd inputs that must take the Rle path.

const exact = (h: number, w: number) => (source: MaskSource) => maskOf(source, h, w);

/** The foreground pixels of mask `slot` (column-major), from its intervals. */
function pixelsOf(masks: MaskRuns, slot: number): Uint8Array {
  const out = new Uint8Array(masks.height[slot] * masks.width[slot]);
  const first = masks.first[slot];
  for (let i = first; i < first + masks.length[slot]; i++)
    out.fill(1, masks.runs[i * 2], masks.runs[i * 2 + 1]);
  return out;
}

function expectSameMask(masks: MaskRuns, slot: number, rle: Rle): void {
  expect([masks.height[slot], masks.width[slot]]).toEqual([rle.h, rle.w]);
  expect(pixelsOf(masks, slot)).toEqual(decodeMask(rle, 'column-major'));
  expect(masks.area[slot]).toBe(rleArea(rle));
  expect(Array.from(masks.box.subarray(slot * 4, slot * 4 + 4))).toEqual(rleToBbox(rle));
}

const size = fc.record({ h: fc.integer({ min: 1, max: 40 }), w: fc.integer({ min: 1, max: 40 }) });

/** Polygons around and inside an h x w image: fractional, on the pixel grid, repeated vertices, slivers. */
const polygonsOn = (h: number, w: number) => {
  const coordinate = (max: number) =>
    fc.oneof(
      fc.double({ min: -3, max: max + 3, noNaN: true }),
      fc.integer({ min: -2, max: max + 2 }),
      fc.integer({ min: 0, max: 2 * max }).map((v) => v / 2),
    );
  const vertex = fc.tuple(coordinate(w), coordinate(h));
  const polygon = fc
    .array(vertex, { minLength: 1, maxLength: 12 })
    .chain((vs) => fc.constantFrom(vs, [...vs, vs[0]], vs.length > 1 ? [vs[0], ...vs] : vs))
    .map((vs) => vs.flat());
  return fc
    .tuple(
      polygon.filter((p) => p.length > 4),
      fc.array(polygon, { maxLength: 3 }),
    )
    .map(([first, rest]) => [first, ...rest]);
};

/** Random masks as pycocotools writes them (compressed), and the same as an uncompressed RLE. */
const rleOn = (h: number, w: number) =>
  fc
    .oneof(
      fc.uint8Array({ minLength: h * w, maxLength: h * w, min: 0, max: 1 }),
      fc.constant(new Uint8Array(h * w)),
      fc.constant(new Uint8Array(h * w).fill(1)),
      fc
        .tuple(fc.integer({ min: 0, max: h * w }), fc.integer({ min: 0, max: h * w }))
        .map(([a, b]) => new Uint8Array(h * w).fill(1, Math.min(a, b), Math.max(a, b))),
    )
    .map((pixels) => encodeMask(pixels, h, w, 'column-major'));

describe('MaskRuns', () => {
  it('rasterises polygons as frPoly + merge', () => {
    fc.assert(
      fc.property(
        size.chain(({ h, w }) => fc.tuple(fc.constant(h), fc.constant(w), polygonsOn(h, w))),
        ([h, w, polygons]) => {
          const masks = new MaskRuns();
          expect(masks.add(polygons, h, w, exact(h, w))).toBe(true);
          expectSameMask(masks, 0, rleFromSegmentation(polygons, h, w));
          // packed, as worker chunks carry them
          expect(masks.add({ polygons: polygons.map((p) => Float64Array.from(p)) }, h, w, exact(h, w))).toBe(
            true,
          );
          expectSameMask(masks, 1, rleFromSegmentation(polygons, h, w));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('decodes compressed and uncompressed RLEs', () => {
    fc.assert(
      fc.property(
        size.chain(({ h, w }) => rleOn(h, w)),
        (rle) => {
          const masks = new MaskRuns();
          const compressed = compressRle(rle);
          expect(masks.add(compressed, 7, 9, exact(7, 9))).toBe(true);
          expectSameMask(masks, 0, rle);
          expect(masks.add(rleToUncompressed(rle), 7, 9, exact(7, 9))).toBe(true);
          expectSameMask(masks, 1, rle);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes counts of 6 characters and leaves longer ones to the Rle path', () => {
    // counts of 2^24..2^29 take 6 characters, from 2^29 on 7 (the sign takes a bit); 46000 x 46000 pixels
    // (2.1e9) are past int32 positions
    for (const [h, counts] of [
      [20000, [3e8, 5e7, 20000 * 20000 - 3e8 - 5e7]],
      [23200, [2 ** 29 + 100, 5, 23200 * 23200 - 2 ** 29 - 105]],
      [46000, [2e9, 7, 46000 * 46000 - 2e9 - 7]],
    ] as const) {
      const rle = new Rle(h, h, Uint32Array.from(counts));
      const masks = new MaskRuns();
      const added = masks.add(compressRle(rle), h, h, exact(h, h));
      if (h * h < 2 ** 31) {
        expect(added).toBe(true);
        expect(masks.area[0]).toBe(rleArea(rle));
        expect(Array.from(masks.box.subarray(0, 4))).toEqual(rleToBbox(rle));
      } else expect(added).toBe(false); // too big for int32 positions: the pair takes the Rle path
    }
  });

  it('keeps masks apart and reuses its buffers after reset()', () => {
    const masks = new MaskRuns();
    const square: Segmentation = [[1, 1, 30, 1, 30, 30, 1, 30]];
    for (let round = 0; round < 2; round++) {
      masks.reset();
      for (let i = 0; i < 300; i++) expect(masks.add(square, 40, 40, exact(40, 40))).toBe(true);
      expect(masks.count).toBe(300);
      expectSameMask(masks, 299, rleFromSegmentation(square, 40, 40));
      expectSameMask(masks, 0, rleFromSegmentation(square, 40, 40));
    }
  });

  it('gives empty masks the box maskApi gives them', () => {
    const masks = new MaskRuns();
    const cases: Segmentation[] = [
      { size: [5, 6], counts: [30] },
      { size: [5, 6], counts: [30, 0] }, // two counts, no foreground: maskApi's uint wrap
      [[-9, -9, -8, -9, -8, -8]], // outside the image
      [[2, 2, 2, 2, 2, 2]],
    ];
    for (const [slot, seg] of cases.entries()) {
      expect(masks.add(seg, 5, 6, exact(5, 6))).toBe(true);
      expectSameMask(masks, slot, rleFromSegmentation(seg, 5, 6));
      expect(masks.area[slot]).toBe(0);
    }
    expect(Array.from(masks.box.subarray(0, 8))).toEqual([0, 0, 0, 0, 6, 5, 2 ** 32 - 5, 2 ** 32 - 4]);
  });

  it('hands masks whose runs do not cover the image to the Rle path', () => {
    const masks = new MaskRuns();
    expect(masks.add({ size: [4, 4], counts: [3, 4] }, 4, 4, exact(4, 4))).toBe(false);
    expect(masks.add({ size: [4, 4], counts: [3, 4, 20] }, 4, 4, exact(4, 4))).toBe(false);
    const short = compressRle(encodeMask(new Uint8Array(12).fill(1, 2, 5), 3, 4));
    expect(masks.add({ size: [4, 4], counts: short.counts }, 4, 4, exact(4, 4))).toBe(false);
    expect(masks.count).toBe(0);
  });

  it('leaves far-away coordinates and huge boundaries to @tasam/coco-data, whatever it makes of them', () => {
    const sources: [MaskSource, number, number][] = [
      [[[1, 2, 3, 4, 5e8, 6]], 10, 10],
      [[[1, 2, 3, 4, -4.3e8, 6]], 10, 10],
      [[[0, 0, 3e6, 0, 3e6, 5, 0, 5]], 20, 20],
      [{ polygons: [Float64Array.of(0, 0, 4.2e8, 0, 5, 5)] }, 20, 20],
    ];
    for (const [source, h, w] of sources) {
      const masks = new MaskRuns();
      let rle: Rle | undefined;
      let error: Error | undefined;
      try {
        rle = maskOf(source, h, w);
      } catch (e) {
        error = e as Error;
      }
      if (error) expect(() => masks.add(source, h, w, exact(h, w))).toThrow(error.message);
      else {
        expect(masks.add(source, h, w, exact(h, w))).toBe(true);
        expectSameMask(masks, 0, rle!);
      }
    }
  });

  it('raises what @tasam/coco-data raises for masks it rejects', () => {
    const masks = new MaskRuns();
    const bad: MaskSource[] = [
      { size: [4, 4], counts: 'a~' },
      { size: [4, 4], counts: 'a' },
      { size: [4, -4], counts: '0' },
      [[1, 2, 3, 4]],
      [[1, 2, 3]],
      [[1, 2, 3, 4, 5, Number.NaN]],
      [[1, 2, 3, 4, 5, 6], 'x' as unknown as number[]],
      { polygons: [Float64Array.of(1, 2, 3, 4, 5, Number.POSITIVE_INFINITY)] },
    ];
    for (const source of bad) {
      let want: unknown;
      try {
        maskOf(source, 4, 4);
      } catch (error) {
        want = error;
      }
      expect(want).toBeInstanceOf(Error);
      expect(() => masks.add(source, 4, 4, exact(4, 4))).toThrow((want as Error).message);
    }
  });
});

const settings: EvalSettings = {
  iouType: 'segm',
  iouThrs: [0.5],
  areaRng: [[0, 1e10]],
  gtSource: 'gt',
  dtSource: 'dt',
};

function pairOf(h: number, w: number, dts: MaskSource[], gts: MaskSource[], crowd: number[]): PairInput {
  const D = dts.length;
  const G = gts.length;
  return {
    height: h,
    width: w,
    gtIds: Float64Array.from(gts, (_, g) => g + 1),
    gtAreas: new Float64Array(G).fill(1),
    gtCrowd: Uint8Array.from(crowd),
    gtBoxes: new Float64Array(G * 4),
    gtSegmentations: gts,
    dtIds: Float64Array.from(dts, (_, d) => d + 1),
    dtAreas: new Float64Array(D).fill(Number.NaN),
    dtBoxes: new Float64Array(D * 4).fill(Number.NaN),
    dtSegmentations: dts,
    dtIndices: Int32Array.from(dts, (_, d) => d),
  };
}

/** computePairIou (MaskRuns) against computePairIouWithRles (the Rle API), areas and boxes included. */
function expectSamePair(input: () => PairInput, iouType: 'segm' | 'bbox' = 'segm'): void {
  const fast = input();
  const rles = input();
  const s = { ...settings, iouType };
  expect(Array.from(computePairIou(fast, s))).toEqual(Array.from(computePairIouWithRles(rles, s)));
  expect(Array.from(fast.dtAreas)).toEqual(Array.from(rles.dtAreas));
  expect(Array.from(fast.dtBoxes)).toEqual(Array.from(rles.dtBoxes));
}

describe('computePairIou on MaskRuns', () => {
  it('matches the Rle API on random pairs (polygons, RLEs, crowd GT)', () => {
    const mask = (h: number, w: number) =>
      fc.oneof(
        polygonsOn(h, w) as fc.Arbitrary<MaskSource>,
        rleOn(h, w).map((rle) => compressRle(rle) as MaskSource),
        rleOn(h, w).map((rle) => rleToUncompressed(rle) as MaskSource),
      );
    fc.assert(
      fc.property(
        size.chain(({ h, w }) =>
          fc.tuple(
            fc.constant(h),
            fc.constant(w),
            fc.array(mask(h, w), { maxLength: 6 }),
            fc.array(fc.tuple(mask(h, w), fc.integer({ min: 0, max: 1 })), { maxLength: 6 }),
          ),
        ),
        ([h, w, dts, gts]) => {
          const make = () =>
            pairOf(
              h,
              w,
              dts,
              gts.map(([seg]) => seg),
              gts.map(([, crowd]) => crowd),
            );
          expectSamePair(make);
          expectSamePair(make, 'bbox');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives -1 for a crowd RLE of another size whose box overlaps, as maskApi', () => {
    const dt = compressRle(encodeMask(new Uint8Array(20).fill(1, 3, 12), 4, 5, 'column-major'));
    const crowd: Segmentation = { size: [5, 5], counts: [2, 6, 17] };
    const elsewhere: Segmentation = { size: [5, 5], counts: [22, 3] };
    const make = () => pairOf(4, 5, [dt, dt], [crowd, elsewhere, [[0, 0, 4, 0, 4, 3, 0, 3]]], [1, 0, 0]);
    expectSamePair(make);
    expect(Array.from(computePairIou(make(), settings)).slice(0, 2)).toEqual([-1, 0]);
  });

  it('falls back to the Rle path for a pair with a mask that does not cover its image', () => {
    // 7 of 16 pixels; its box is apart from the detection's (when they overlap, maskApi never returns)
    const odd: Segmentation = { size: [4, 4], counts: [3, 4] };
    const far: Segmentation = { size: [4, 4], counts: [14, 2] };
    const near: Segmentation = { size: [4, 4], counts: [11, 5] };
    expectSamePair(() => pairOf(4, 4, [far], [odd, near], [0, 0]));
    expectSamePair(() => pairOf(4, 4, [far, near], [near, odd], [1, 0]));
  });

  it('names the result or annotation of a mask that does not decode', () => {
    const good: Segmentation = [[0, 0, 3, 0, 3, 3]];
    const bad: Segmentation = { size: [4, 4], counts: 'a~' };
    expect(() => computePairIou(pairOf(4, 4, [good, bad], [good], [0]), settings)).toThrow(/^dt: result 1: /);
    expect(() => computePairIou(pairOf(4, 4, [good], [good, bad], [0, 0]), settings)).toThrow(
      /^gt: annotation 2: /,
    );
  });
});
