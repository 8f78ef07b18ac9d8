import { COCO_CATEGORIES } from '@tasam/coco-data';
import { decodeNanoDet, expectedDistance } from './nanodet-decode';

const BINS = 11;

/** Logits putting (nearly) all mass on one bin. */
function peaked(bin: number): number[] {
  return Array.from({ length: BINS }, (_, b) => (b === bin ? 50 : 0));
}

/** One level of `cells` cells, all scores 0 but the given (cell, class) pairs, box sides peaked at `bins`. */
function level(
  stride: number,
  cells: number,
  hits: Array<{ cell: number; cls: number; score: number; bins: [number, number, number, number] }>,
) {
  const scores = new Float32Array(cells * 80);
  const boxes = new Float32Array(cells * 44);
  for (const hit of hits) {
    scores[hit.cell * 80 + hit.cls] = hit.score;
    hit.bins.forEach((bin, side) => {
      boxes.set(peaked(bin), hit.cell * 44 + side * BINS);
    });
  }
  return { stride, scores, boxes };
}

describe('expectedDistance', () => {
  it('is the softmax-weighted mean bin index', () => {
    expect(expectedDistance(peaked(3), 0)).toBeCloseTo(3, 6);
    expect(expectedDistance(new Array(BINS).fill(0), 0)).toBeCloseTo(5, 6); // uniform: mean of 0..10
    const two = new Array(BINS).fill(-1000);
    two[2] = 0;
    two[4] = 0;
    expect(expectedDistance(two, 0)).toBeCloseTo(3, 6);
    expect(expectedDistance([0, ...peaked(7)], 1)).toBeCloseTo(7, 6); // reads from the offset
  });

  it('stays finite for huge logits (max-shifted softmax)', () => {
    expect(
      expectedDistance(
        Array.from({ length: BINS }, (_, b) => 1e30 * (b === 9 ? 2 : 1)),
        0,
      ),
    ).toBeCloseTo(9, 6);
  });
});

describe('decodeNanoDet', () => {
  it('centres boxes on (cell + 0.5) x stride and scales distances by the stride, into image pixels', () => {
    // 416 input, stride 32: a 13 x 13 grid. Cell 14 = column 1, row 1: centre (48, 48).
    const levels = [level(32, 169, [{ cell: 14, cls: 0, score: 0.9, bins: [1, 1, 2, 2] }])];
    const [d] = decodeNanoDet(levels, 832, 416, { scoreThreshold: 0.5 });
    // sides 32, 32, 64, 64 -> [16, 16, 112, 112] in input pixels; x scaled by 832 / 416 = 2.
    expect(d.box.map((v) => Math.round(v * 1000) / 1000)).toEqual([32, 16, 224, 112]);
    expect(d).toMatchObject({ categoryId: 1, category: 'person', score: expect.closeTo(0.9, 6) });
  });

  it('keeps every class of a cell above the threshold, only asked categories, and clips to the image', () => {
    const levels = [
      level(8, 2704, [
        { cell: 0, cls: 15, score: 0.6, bins: [10, 10, 1, 1] }, // cat, reaching outside the top-left corner
        { cell: 0, cls: 16, score: 0.3, bins: [1, 1, 1, 1] }, // dog in the same cell
        { cell: 5, cls: 16, score: 0.01, bins: [1, 1, 1, 1] }, // under the threshold
      ]),
    ];
    const all = decodeNanoDet(levels, 416, 416, { scoreThreshold: 0.05 });
    expect(all.map((d) => d.category).sort()).toEqual(['cat', 'dog']);
    const cat = all.find((d) => d.category === 'cat')!;
    expect(cat.box[0]).toBe(0);
    expect(cat.box[1]).toBe(0);
    const dogsOnly = decodeNanoDet(levels, 416, 416, {
      scoreThreshold: 0.05,
      categoryIds: new Set([COCO_CATEGORIES[16].id]),
    });
    expect(dogsOnly.map((d) => d.category)).toEqual(['dog']);
  });

  it('drops boxes with nothing left inside the image and ignores truncated outputs', () => {
    const levels = [level(8, 2704, [{ cell: 0, cls: 0, score: 0.9, bins: [0, 0, 0, 0] }])];
    expect(decodeNanoDet(levels, 416, 416, { scoreThreshold: 0.1 })).toEqual([]); // all four sides 0: no area
    const truncated = { stride: 8, scores: new Float32Array(79).fill(1), boxes: new Float32Array(43) };
    expect(decodeNanoDet([truncated], 416, 416, { scoreThreshold: 0 })).toEqual([]);
  });
});
