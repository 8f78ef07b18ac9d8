// Every vector of pycocotools 2.0.11's mask API in test/fixtures/rle_vectors.json (copied from
// ../shared/coco-eval-ref): integers equal, IoUs to 1e-12, and the inputs that must raise raise typed errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TasamError } from '@tasam/errors';
import {
  type Bbox,
  bboxIou,
  type CompressedRle,
  compressRle,
  decodeMask,
  decodeMaskInto,
  decompressRle,
  encodeMask,
  InvalidRleError,
  InvalidSegmentationError,
  mergeRles,
  Rle,
  rleArea,
  rleFromBbox,
  rleFromPolygon,
  rleFromSegmentation,
  rleFromUncompressed,
  rleIou,
  rlesFromPolygons,
  rleToBbox,
  type Segmentation,
  type UncompressedRle,
} from '../src';

interface Expected {
  size: [number, number];
  counts: string;
  area?: number;
  bbox?: number[];
  counts_uncompressed?: number[];
  mask_rows?: string[];
}

const vectors = JSON.parse(readFileSync(join(__dirname, 'fixtures/rle_vectors.json'), 'utf8'));
const real = JSON.parse(readFileSync(join(__dirname, 'fixtures/real_coco_segmentations.json'), 'utf8'));

function rowsToMask(rows: string[]): Uint8Array {
  const h = rows.length;
  const w = rows[0].length;
  const mask = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mask[y * w + x] = rows[y][x] === '1' ? 1 : 0;
  return mask;
}

function expectRle(rle: Rle, expected: Expected): void {
  expect(compressRle(rle)).toEqual({ size: expected.size, counts: expected.counts });
  expect([rle.h, rle.w]).toEqual(expected.size);
  if (expected.counts_uncompressed) expect(Array.from(rle.counts)).toEqual(expected.counts_uncompressed);
  if (expected.area !== undefined) expect(rleArea(rle)).toBe(expected.area);
  if (expected.bbox) expect(rleToBbox(rle)).toEqual(expected.bbox);
  if (expected.mask_rows) expect(decodeMask(rle)).toEqual(rowsToMask(expected.mask_rows));
  // The string codec round-trips.
  expect(Array.from(decompressRle(compressRle(rle)).counts)).toEqual(Array.from(rle.counts));
}

function expectTypedError(
  fn: () => unknown,
  type: new (...args: never[]) => TasamError,
  text?: RegExp,
): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  expect(TasamError.isInstance(caught)).toBe(true);
  if (text) expect((caught as Error).message).toMatch(text);
}

describe('polygons (frPyObjects + merge)', () => {
  const { h, w, cases } = vectors.polygons;
  for (const [name, c] of Object.entries<{
    input: number[][];
    parts?: Expected[];
    merged?: Expected;
    error?: string;
  }>(cases)) {
    it(name, () => {
      if (c.error) {
        expectTypedError(
          () => rlesFromPolygons(c.input, h, w),
          InvalidSegmentationError,
          /polygons array\(2\)/,
        );
        expectTypedError(() => rleFromSegmentation(c.input, h, w), InvalidSegmentationError);
        return;
      }
      const parts = rlesFromPolygons(c.input, h, w);
      expect(parts).toHaveLength(c.parts!.length);
      for (const [i, part] of parts.entries()) expectRle(part, c.parts![i]);
      for (const [i, polygon] of c.input.entries()) expectRle(rleFromPolygon(polygon, h, w), c.parts![i]);
      expectRle(mergeRles(parts), c.merged!);
      expectRle(rleFromSegmentation(c.input, h, w), c.merged!);
    });
  }

  it('rejects the single (flat) forms pycocotools rejects', () => {
    for (const c of Object.values<{ input: number[] }>(vectors.single_forms)) {
      const flat = c.input as unknown as number[][];
      expectTypedError(() => rlesFromPolygons(flat, h, w), InvalidSegmentationError, /flat list/);
      expectTypedError(() => rleFromSegmentation(flat, h, w), InvalidSegmentationError);
    }
  });

  it('rejects non-finite coordinates, naming the value', () => {
    expectTypedError(
      () => rleFromPolygon([1, 1, 5, Number.NaN, 3, 3], h, w),
      InvalidSegmentationError,
      /value 3/,
    );
  });
});

describe('boxes (frBbox)', () => {
  const { h, w, input, rles } = vectors.boxes;
  input.forEach((box: Bbox, i: number) => {
    it(`box ${JSON.stringify(box)}`, () => expectRle(rleFromBbox(box, h, w), rles[i]));
  });
});

describe('uncompressed RLE (frUncompressedRLE)', () => {
  for (const [name, c] of Object.entries<Expected & { input: UncompressedRle }>(vectors.uncompressed)) {
    it(name, () => {
      const rle = rleFromUncompressed(c.input);
      expect(Array.from(rle.counts)).toEqual(c.input.counts);
      expectRle(rle, { ...c, size: c.input.size });
      // annToRLE keeps the RLE's own size whatever the image says.
      expectRle(rleFromSegmentation(c.input, 1, 1), { ...c, size: c.input.size });
    });
  }

  it('rejects negative, fractional and non-numeric counts and bad sizes', () => {
    expectTypedError(
      () => rleFromUncompressed({ size: [2, 2], counts: [1, -1, 4] }),
      InvalidRleError,
      /counts\[1\]/,
    );
    expectTypedError(() => rleFromUncompressed({ size: [2, 2], counts: [1.5, 2.5] }), InvalidRleError);
    expectTypedError(
      () => rleFromUncompressed({ size: [-2, 2], counts: [4] }),
      InvalidRleError,
      /size must be \[h, w\]/,
    );
    expectTypedError(
      () => rleFromUncompressed({ size: [2, 2] } as unknown as UncompressedRle),
      InvalidRleError,
    );
  });
});

describe('encode / decode', () => {
  for (const c of vectors.encode as (Expected & { kind: string; h: number; w: number })[]) {
    it(c.kind, () => {
      const rowMajor = rowsToMask(c.mask_rows!);
      const rle = encodeMask(rowMajor, c.h, c.w);
      expectRle(rle, { ...c, size: [c.h, c.w] });
      const columnMajor = new Uint8Array(c.h * c.w);
      for (let y = 0; y < c.h; y++)
        for (let x = 0; x < c.w; x++) columnMajor[x * c.h + y] = rowMajor[y * c.w + x];
      expect(Array.from(encodeMask(columnMajor, c.h, c.w, 'column-major').counts)).toEqual(
        c.counts_uncompressed,
      );
      expect(decodeMask(rle, 'column-major')).toEqual(columnMajor);
    });
  }

  it('treats any nonzero byte as foreground', () => {
    const rle = encodeMask(Uint8Array.of(0, 7, 255, 0), 2, 2);
    // Column-major: (0,0)=0, (1,0)=255, (0,1)=7, (1,1)=0.
    expect(Array.from(rle.counts)).toEqual([1, 2, 1]);
  });

  it('raises like pycocotools on runs that overrun the image (decode_overflow)', () => {
    expect(vectors.decode_overflow).toMatch(/Invalid RLE mask representation/);
    const overflowing = new Rle(2, 2, Uint32Array.of(1, 4));
    expectTypedError(() => decodeMask(overflowing), InvalidRleError, /invalid RLE mask representation/);
  });

  it('rejects a mask whose length is not h * w', () => {
    expectTypedError(() => encodeMask(new Uint8Array(5), 2, 3), InvalidSegmentationError, /length 5/);
    expectTypedError(
      () => decodeMaskInto(Rle.empty(2, 3), new Uint8Array(5)),
      InvalidSegmentationError,
      /length 5/,
    );
  });

  it('decodes into a reused buffer, overwriting what was there', () => {
    const buffer = new Uint8Array(6).fill(9);
    const rle = new Rle(2, 3, Uint32Array.of(1, 2, 3));
    expect(decodeMaskInto(rle, buffer)).toBe(buffer);
    expect(Array.from(buffer)).toEqual(Array.from(decodeMask(rle)));
    expect(Array.from(decodeMaskInto(rle, buffer, 'column-major'))).toEqual([0, 1, 1, 0, 0, 0]);
  });
});

describe('string codec', () => {
  it('rejects characters outside the alphabet and truncated numbers, naming the string', () => {
    expectTypedError(() => decompressRle({ size: [4, 4], counts: '3~1' }), InvalidRleError, /"3~1"/);
    // 'h' (56 = 0x38) has the continuation bit set: the string ends inside a number.
    expectTypedError(() => decompressRle({ size: [4, 4], counts: '3h' }), InvalidRleError, /ends inside/);
    expectTypedError(
      () => decompressRle({ size: [4, 4], counts: 7 } as unknown as CompressedRle),
      InvalidRleError,
    );
  });

  it('rejects counts that decode negative', () => {
    // Fourth count as a delta of -5 from the second (1): -4.
    expectTypedError(
      () => decompressRle({ size: [4, 4], counts: '311K' }),
      InvalidRleError,
      /count 3 decodes to -4/,
    );
  });

  it('round-trips counts up to 2^32 - 1', () => {
    const rle = new Rle(65536, 65536, Uint32Array.of(0xffffffff, 1, 0, 0xfffffffe, 7));
    expect(Array.from(decompressRle(compressRle(rle)).counts)).toEqual(Array.from(rle.counts));
  });
});

describe('merge', () => {
  const m = vectors.merge;
  const A = decompressRle(m.A);
  const B = decompressRle(m.B);
  const C = decompressRle(m.C);
  it('unions and intersects', () => {
    expectRle(mergeRles([A, B]), m.union_AB);
    expectRle(mergeRles([A, B], true), m.intersect_AB);
    expectRle(mergeRles([A, B, C]), m.union_ABC);
    expectRle(mergeRles([A, B, C], true), m.intersect_ABC);
    expectRle(mergeRles([A]), m.single_A);
  });
  it('gives a 0 x 0 RLE when sizes differ, as pycocotools does', () => {
    const other = Rle.empty(13, 10);
    expect(compressRle(mergeRles([A, other]))).toEqual(m.union_A_othersize);
    expect(compressRle(mergeRles([]))).toEqual({ size: [0, 0], counts: '' });
  });
});

describe('IoU', () => {
  const r = vectors.iou_rle;
  const dt = r.dt.map(decompressRle);
  const gt = r.gt.map(decompressRle);

  function expectMatrix(actual: Float64Array, expected: number[][]): void {
    expect(actual).toHaveLength(expected.length * (expected[0]?.length ?? 0));
    for (const [d, row] of expected.entries()) {
      for (const [g, value] of row.entries()) {
        expect(Math.abs(actual[d * row.length + g] - value)).toBeLessThanOrEqual(1e-12);
      }
    }
  }

  it('of RLEs, with and without crowd', () => {
    expectMatrix(rleIou(dt, gt, [0, 0, 0]), r.iscrowd_000);
    expectMatrix(rleIou(dt, gt, [1, 0, 1]), r.iscrowd_101);
    expectMatrix(rleIou(dt, gt, [true, false, true]), r.iscrowd_101);
  });

  it('is -1 for overlapping RLEs of different image sizes, and empty for no detections', () => {
    const bigger = rleFromPolygon([1, 1, 6, 1, 6, 6, 1, 6], 13, 10);
    expectMatrix(rleIou([dt[0]], [bigger], [0]), r.different_size_dt_vs_gt);
    expect(rleIou([], gt, [0, 0, 0])).toHaveLength(r.empty_dt_list.length);
  });

  it('of boxes', () => {
    const b = vectors.iou_bbox;
    expectMatrix(bboxIou(b.dt, b.gt, [0, 0, 0]), b.iscrowd_000);
    expectMatrix(bboxIou(b.dt, b.gt, [0, 1, 0]), b.iscrowd_010);
  });

  it('rejects an iscrowd list of the wrong length', () => {
    expectTypedError(() => rleIou(dt, gt, [0]), TasamError, /iscrowd has 1 entries/);
  });
});

describe('real COCO val2017 annotations', () => {
  for (const v of vectors.real_coco_val2017) {
    it(`annotation ${v.ann_id}`, () => {
      const expected: Expected = { size: [v.h, v.w], counts: v.counts, area: v.rle_area, bbox: v.rle_bbox };
      const source = real.annotations.find((a: { id: number }) => a.id === v.ann_id);
      if (v.part_counts) {
        const parts = v.part_counts.map((counts: string) => decompressRle({ size: [v.h, v.w], counts }));
        expectRle(mergeRles(parts), expected);
        if (source) {
          const fromPolygons = rlesFromPolygons(source.segmentation, v.h, v.w);
          expect(fromPolygons.map((p) => compressRle(p).counts)).toEqual(v.part_counts);
        }
      }
      if (source) expectRle(rleFromSegmentation(source.segmentation as Segmentation, v.h, v.w), expected);
      // Decoding and re-encoding a real mask is lossless.
      const rle = decompressRle({ size: [v.h, v.w], counts: v.counts });
      expect(compressRle(encodeMask(decodeMask(rle), v.h, v.w)).counts).toBe(v.counts);
    });
  }
  it('has the polygons of most vectors in the fixture', () => {
    expect(real.annotations.length).toBeGreaterThanOrEqual(7);
  });
});
