import { createMatchBuffers, matchImage, type PairData } from './match-image';

const ALL: [number, number] = [0, 1e10];

function match(pair: PairData, thresholds: number[], range = ALL) {
  const T = thresholds.length;
  const D = pair.dtIds.length;
  const G = pair.gtIds.length;
  const out = createMatchBuffers(T, D, G);
  matchImage(pair, range[0], range[1], thresholds, out);
  return {
    gtOrder: Array.from(out.gtOrder.subarray(0, G)),
    gtIgnore: Array.from(out.gtIgnore.subarray(0, G)),
    dtMatches: Array.from(out.dtMatches.subarray(0, T * D)),
    gtMatches: Array.from(out.gtMatches.subarray(0, T * G)),
    dtIgnore: Array.from(out.dtIgnore.subarray(0, T * D)),
  };
}

describe('matchImage (COCOeval.evaluateImg)', () => {
  it('gives a tie to the last GT and respects each threshold', () => {
    const pair = {
      dtIds: [1],
      dtAreas: [50],
      gtIds: [10, 20],
      gtAreas: [50, 50],
      gtCrowd: [0, 0],
      ious: [0.6, 0.6],
    };
    const r = match(pair, [0.5, 0.65]);
    expect(r.dtMatches).toEqual([20, 0]);
    expect(r.gtMatches).toEqual([0, 1, 0, 0]);
  });

  it('lets a crowd GT absorb any number of detections, ignored', () => {
    const pair = {
      dtIds: [1, 2, 3],
      dtAreas: [50, 50, 50],
      gtIds: [20, 10],
      gtAreas: [50, 50],
      gtCrowd: [1, 0],
      ious: [0.0, 0.9, 0.8, 0.1, 0.7, 0.0],
    };
    const r = match(pair, [0.5]);
    expect(r.gtOrder).toEqual([1, 0]); // crowd (ignored) goes last
    expect(r.gtIgnore).toEqual([0, 1]);
    expect(r.dtMatches).toEqual([10, 20, 20]);
    expect(r.dtIgnore).toEqual([0, 1, 1]);
    expect(r.gtMatches).toEqual([1, 3]);
  });

  it('stops at the ignored GT once a regular one matched, even with a better IoU there', () => {
    const pair = {
      dtIds: [1],
      dtAreas: [50],
      gtIds: [10, 20],
      gtAreas: [50, 50],
      gtCrowd: [0, 1],
      ious: [0.55, 0.9],
    };
    expect(match(pair, [0.5]).dtMatches).toEqual([10]);
  });

  it('a matched GT is taken: the next detection falls to another GT or stays unmatched', () => {
    const pair = {
      dtIds: [1, 2],
      dtAreas: [50, 50],
      gtIds: [10, 20],
      gtAreas: [50, 50],
      gtCrowd: [0, 0],
      ious: [0.9, 0.6, 0.95, 0.4],
    };
    const r = match(pair, [0.5]);
    expect(r.dtMatches).toEqual([10, 0]);
    expect(r.dtIgnore).toEqual([0, 0]);
  });

  it('caps the threshold at 1 - 1e-10 so an IoU of 1 matches at threshold 1', () => {
    const pair = { dtIds: [1], dtAreas: [50], gtIds: [10], gtAreas: [50], gtCrowd: [0], ious: [1] };
    expect(match(pair, [1]).dtMatches).toEqual([10]);
  });

  it('orders GT outside the area range last and ignores only unmatched detections outside it', () => {
    const pair = {
      dtIds: [1, 2, 3],
      dtAreas: [5000, 5000, 100],
      gtIds: [10, 20],
      gtAreas: [5000, 100],
      gtCrowd: [0, 0],
      ious: [0.9, 0.0, 0.0, 0.0, 0.0, 0.8],
    };
    const r = match(pair, [0.5], [0, 1024]);
    expect(r.gtOrder).toEqual([1, 0]);
    expect(r.gtIgnore).toEqual([0, 1]);
    // dt 1 matched the out-of-range GT: ignored through the GT; dt 2 is unmatched and too large: ignored;
    // dt 3 matched the small GT.
    expect(r.dtMatches).toEqual([10, 0, 20]);
    expect(r.dtIgnore).toEqual([1, 1, 0]);
  });

  it('leaves everything unmatched without GT, ignoring only out-of-range detections', () => {
    const pair = { dtIds: [1, 2], dtAreas: [10, 5000], gtIds: [], gtAreas: [], gtCrowd: [], ious: [] };
    const r = match(pair, [0.5, 0.75], [0, 1024]);
    expect(r.dtMatches).toEqual([0, 0, 0, 0]);
    expect(r.dtIgnore).toEqual([0, 1, 0, 1]);
  });

  it('treats a match to a GT with id 0 as unmatched for the area test, as pycocotools does', () => {
    const pair = { dtIds: [1], dtAreas: [5000], gtIds: [0], gtAreas: [100], gtCrowd: [0], ious: [0.9] };
    const r = match(pair, [0.5], [0, 1024]);
    expect(r.dtMatches).toEqual([0]);
    expect(r.dtIgnore).toEqual([1]);
  });
});
