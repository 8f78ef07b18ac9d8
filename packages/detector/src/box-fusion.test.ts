import { weightedBoxFusion } from './box-fusion';
import type { Box } from './types';

const det = (box: Box, score: number, categoryId = 1, tag = '') => ({ box, score, categoryId, tag });

const expectBoxClose = (actual: readonly number[], expected: readonly number[]) => {
  expect(actual).toHaveLength(4);
  for (let k = 0; k < 4; k++) expect(actual[k]).toBeCloseTo(expected[k], 10);
};

describe('weightedBoxFusion', () => {
  it('fuses overlapping boxes of two passes: score-weighted corners, mean score', () => {
    const a = det([0, 0, 10, 10], 0.6);
    const b = det([2, 0, 12, 10], 0.2); // IoU 8/12 with a
    const [fused, ...rest] = weightedBoxFusion([[a], [b]], { iouThreshold: 0.55 });
    expect(rest).toEqual([]);
    // x1 = (0.6 * 0 + 0.2 * 2) / 0.8, x2 = (0.6 * 10 + 0.2 * 12) / 0.8
    expectBoxClose(fused.box, [0.5, 0, 10.5, 10]);
    expect(fused.score).toBeCloseTo((0.6 + 0.2) / 2, 12);
    expect(fused.categoryId).toBe(1);
  });

  it('keeps a box found by one pass of two with half its score, and its box unchanged', () => {
    const a = det([0, 0, 10, 10], 0.8);
    const far = det([50, 50, 60, 60], 0.4);
    const fused = weightedBoxFusion([[a, far], [det([0, 0, 10, 10], 0.6)]], { iouThreshold: 0.5 });
    expect(fused).toHaveLength(2);
    expect(fused[0].score).toBeCloseTo(0.7, 12);
    expect(fused[1].box).toEqual([50, 50, 60, 60]);
    expect(fused[1].score).toBeCloseTo(0.2, 12);
    // With one pass, a lone box keeps its score (N = 1).
    expect(weightedBoxFusion([[far]], { iouThreshold: 0.5 })).toEqual([far]);
  });

  it('divides by the number of boxes when a cluster has more than N (the mean score)', () => {
    const boxes = [det([0, 0, 10, 10], 0.9), det([0, 0, 10, 11], 0.6), det([0, 0, 11, 10], 0.3)];
    const [fused] = weightedBoxFusion([boxes.slice(0, 2), boxes.slice(2)], { iouThreshold: 0.5 });
    expect(fused.score).toBeCloseTo(0.6, 12);
    expectBoxClose(fused.box, [0, 0, 10 + 0.3 / 1.8, 10 + 0.6 / 1.8]);
    expect(weightedBoxFusion([boxes], { iouThreshold: 0.5, passCount: 4 })[0].score).toBeCloseTo(1.8 / 4, 12);
  });

  it('never fuses boxes of different categories', () => {
    const cat = det([0, 0, 10, 10], 0.8, 17);
    const dog = det([0, 0, 10, 10], 0.6, 18);
    const fused = weightedBoxFusion([[cat], [dog]], { iouThreshold: 0.1 });
    expect(fused.map((d) => [d.categoryId, d.box, d.score])).toEqual([
      [17, [0, 0, 10, 10], 0.4],
      [18, [0, 0, 10, 10], 0.3],
    ]);
  });

  it('joins a box to the cluster it overlaps most, only above the IoU threshold', () => {
    const left = det([0, 0, 10, 10], 0.9);
    const right = det([8, 0, 18, 10], 0.8); // IoU 2/18 with left: its own cluster
    const nearRight = det([7, 0, 17, 10], 0.5); // IoU 3/17 with left, 9/11 with right
    const fused = weightedBoxFusion([[left, right], [nearRight]], { iouThreshold: 0.5 });
    expect(fused).toHaveLength(2);
    // Sorted by fused score: the right pair (0.65) before the lone left box (0.9 / 2).
    expectBoxClose(fused[0].box, [(0.8 * 8 + 0.5 * 7) / 1.3, 0, (0.8 * 18 + 0.5 * 17) / 1.3, 10]);
    expect(fused[0].score).toBeCloseTo(0.65, 12);
    expect(fused[1].box).toEqual([0, 0, 10, 10]);
    expect(fused[1].score).toBeCloseTo(0.45, 12);
    // IoU exactly at the threshold does not join (strictly above).
    const half = det([0, 0, 10, 10], 0.5);
    const third = det([5, 0, 15, 10], 0.5); // IoU 1/3
    expect(weightedBoxFusion([[half], [third]], { iouThreshold: 1 / 3 + 1e-12 })).toHaveLength(2);
    expect(weightedBoxFusion([[half], [third]], { iouThreshold: 0.3 })).toHaveLength(1);
  });

  it('compares with the cluster’s fused box, which moves as boxes join', () => {
    const a = det([0, 0, 10, 10], 0.5);
    const b = det([2, 0, 12, 10], 0.5); // IoU 8/12 with a: fused [1, 0, 11, 10]
    const c = det([5, 0, 15, 10], 0.4); // IoU 1/3 with a, 6/14 with the fused box
    expect(weightedBoxFusion([[a], [c]], { iouThreshold: 0.4 })).toHaveLength(2);
    const fused = weightedBoxFusion([[a, c], [b]], { iouThreshold: 0.4 });
    expect(fused).toHaveLength(1);
    expect(fused[0].score).toBeCloseTo(1.4 / 3, 12);
    expectBoxClose(fused[0].box, [(0.5 * 2 + 0.4 * 5) / 1.4, 0, (0.5 * 22 + 0.4 * 15) / 1.4, 10]);
  });

  it('with onePerPass, a cluster takes at most one box of each pass', () => {
    const a = det([0, 0, 10, 10], 0.8);
    const aDuplicate = det([0, 0, 10, 10.5], 0.5);
    const b = det([0, 0, 10, 10], 0.6);
    expect(weightedBoxFusion([[a, aDuplicate], [b]], { iouThreshold: 0.5 })).toHaveLength(1);
    const fused = weightedBoxFusion([[a, aDuplicate], [b]], { iouThreshold: 0.5, onePerPass: true });
    expect(fused).toHaveLength(2);
    expect(fused[0].score).toBeCloseTo(0.7, 12);
    expect(fused[1].box).toEqual([0, 0, 10, 10.5]);
    expect(fused[1].score).toBeCloseTo(0.25, 12);
  });

  it('carries the best box’s other fields, sorts by score and keeps ties in cluster order', () => {
    const fused = weightedBoxFusion(
      [[det([0, 0, 10, 10], 0.3, 1, 'first'), det([50, 0, 60, 10], 0.3, 1, 'second')], []],
      { iouThreshold: 0.5 },
    );
    expect(fused.map((d) => d.tag)).toEqual(['first', 'second']);
    const [best] = weightedBoxFusion(
      [[det([0, 0, 10, 10], 0.2, 3, 'low')], [det([0, 0, 10, 10], 0.7, 3, 'high')]],
      {
        iouThreshold: 0.5,
      },
    );
    expect(best.tag).toBe('high');
    expect(weightedBoxFusion([[], []], { iouThreshold: 0.5 })).toEqual([]);
  });

  it('uses the plain mean when every score is 0, and stays within the members’ corners', () => {
    const [fused] = weightedBoxFusion([[det([0, 0, 10, 10], 0)], [det([2, 0, 12, 10], 0)]], {
      iouThreshold: 0.5,
    });
    expect(fused.box).toEqual([1, 0, 11, 10]);
    expect(fused.score).toBe(0);
    const edge = weightedBoxFusion(
      [
        [det([600, 10, 640, 480], 0.37)],
        [det([601, 10, 640, 480], 0.29)],
        [det([600.5, 11, 640, 479], 0.11)],
      ],
      { iouThreshold: 0.5 },
    );
    expect(edge).toHaveLength(1);
    expect(edge[0].box[2]).toBeLessThanOrEqual(640);
    expect(edge[0].box[3]).toBeLessThanOrEqual(480);
  });

  it('counts a missing pass as absentPassWeight times the cluster’s mean score', () => {
    const lone = det([0, 0, 10, 10], 0.6);
    const pair = [det([50, 0, 60, 10], 0.4), det([50, 0, 60, 10], 0.2)];
    const score = (absentPassWeight: number) =>
      weightedBoxFusion([[lone, pair[0]], [], [pair[1]]], { iouThreshold: 0.5, absentPassWeight }).map((d) =>
        Number(d.score.toFixed(9)),
      );
    expect(score(0)).toEqual([0.2, 0.2]); // 0.6 / 3 and 0.6 / 3
    expect(score(0.5)).toEqual([0.4, 0.25]); // (0.6 + 2 * 0.5 * 0.6) / 3 and (0.6 + 1 * 0.5 * 0.3) / 3
    expect(score(1)).toEqual([0.6, 0.3]); // the means
  });

  it('rejects a bad pass count or absent-pass weight', () => {
    expect(() => weightedBoxFusion([[]], { iouThreshold: 0.5, passCount: 0 })).toThrow(RangeError);
    expect(() => weightedBoxFusion([[]], { iouThreshold: 0.5, absentPassWeight: 1.5 })).toThrow(RangeError);
  });
});
