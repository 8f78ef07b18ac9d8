import { boxIou, nonMaxSuppression } from './nms';
import type { Box } from './types';

const det = (box: Box, score: number, categoryId = 1) => ({ box, score, categoryId });

describe('boxIou', () => {
  it('is intersection over union', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(boxIou([0, 0, 10, 10], [2, 2, 4, 4])).toBeCloseTo(4 / 100, 12);
  });

  it('is 0 for disjoint or touching boxes and boxes without area', () => {
    expect(boxIou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
    expect(boxIou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(boxIou([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });
});

describe('nonMaxSuppression', () => {
  it('suppresses a lower-scoring box of the same class overlapping more than the threshold', () => {
    const a = det([0, 0, 10, 10], 0.9);
    const b = det([1, 0, 11, 10], 0.8); // IoU 9/11 with a
    const c = det([20, 20, 30, 30], 0.7);
    expect(nonMaxSuppression([b, c, a], 0.5)).toEqual([a, c]);
  });

  it('works per class: overlapping boxes of different classes are all kept', () => {
    const a = det([0, 0, 10, 10], 0.9, 1);
    const b = det([0, 0, 10, 10], 0.8, 2);
    expect(nonMaxSuppression([a, b], 0.5)).toEqual([a, b]);
  });

  it('keeps a box whose IoU equals the threshold (suppression is IoU > threshold)', () => {
    const a = det([0, 0, 10, 10], 0.9);
    const b = det([5, 0, 15, 10], 0.8); // IoU 1/3
    expect(nonMaxSuppression([a, b], 1 / 3 + 1e-12)).toEqual([a, b]);
    expect(nonMaxSuppression([a, b], 0.3)).toEqual([a]);
    expect(nonMaxSuppression([a, det([0, 0, 10, 10], 0.5)], 1)).toHaveLength(2);
  });

  it('compares only with kept boxes (greedy): a suppressed box suppresses nothing', () => {
    const a = det([0, 0, 10, 10], 0.9);
    const b = det([4, 0, 14, 10], 0.8); // IoU(a, b) = 0.43: suppressed at 0.4
    const c = det([8, 0, 18, 10], 0.7); // IoU(b, c) = 0.43, IoU(a, c) = 0.11
    expect(nonMaxSuppression([a, b, c], 0.4)).toEqual([a, c]);
  });

  it('sorts by score, keeps input order on ties and stops at maxDetections', () => {
    const boxes = [
      det([0, 0, 1, 1], 0.2),
      det([2, 2, 3, 3], 0.5),
      det([4, 4, 5, 5], 0.5),
      det([6, 6, 7, 7], 0.9),
    ];
    expect(nonMaxSuppression(boxes, 0.5)).toEqual([boxes[3], boxes[1], boxes[2], boxes[0]]);
    expect(nonMaxSuppression(boxes, 0.5, 2)).toEqual([boxes[3], boxes[1]]);
    expect(nonMaxSuppression([], 0.5)).toEqual([]);
  });
});
