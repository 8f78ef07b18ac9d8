import fc from 'fast-check';
import {
  bestIouPerDetection,
  createMatchBuffers,
  type MatchBuffers,
  matchImage,
  type PairData,
} from './match-image';

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

// matchImage skips the rows of detections whose best IoU is below a threshold; the reference is the loop
// without that shortcut, as it was.
function referenceMatch(
  pair: PairData,
  areaMin: number,
  areaMax: number,
  iouThrs: ArrayLike<number>,
  out: MatchBuffers,
): void {
  const D = pair.dtIds.length;
  const G = pair.gtIds.length;
  const T = iouThrs.length;
  const { gtOrder, gtIgnore, dtMatches, gtMatches, dtIgnore } = out;

  // Stable argsort of _ignore: kept GT first, then ignored, both in file order.
  let n = 0;
  for (let g = 0; g < G; g++) {
    const area = pair.gtAreas[g];
    if (!(pair.gtCrowd[g] || area < areaMin || area > areaMax)) gtOrder[n++] = g;
  }
  const kept = n;
  for (let g = 0; g < G; g++) {
    const area = pair.gtAreas[g];
    if (pair.gtCrowd[g] || area < areaMin || area > areaMax) gtOrder[n++] = g;
  }
  for (let g = 0; g < G; g++) gtIgnore[g] = g < kept ? 0 : 1;

  dtMatches.fill(0, 0, T * D);
  gtMatches.fill(0, 0, T * G);
  dtIgnore.fill(0, 0, T * D);

  const ious = pair.ious;
  if (D > 0 && G > 0) {
    for (let t = 0; t < T; t++) {
      const threshold = Math.min(iouThrs[t], 1 - 1e-10);
      const gtRow = t * G;
      const dtRow = t * D;
      for (let d = 0; d < D; d++) {
        let best = threshold;
        let m = -1;
        const iouRow = d * G;
        for (let g = 0; g < G; g++) {
          const col = gtOrder[g];
          // a matched GT is taken, unless it is a crowd
          if (gtMatches[gtRow + g] > 0 && !pair.gtCrowd[col]) continue;
          // matched a regular GT already and only ignored ones are left
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[g] === 1) break;
          const iou = ious[iouRow + col];
          if (iou < best) continue;
          best = iou;
          m = g;
        }
        if (m === -1) continue;
        dtIgnore[dtRow + d] = gtIgnore[m];
        dtMatches[dtRow + d] = pair.gtIds[gtOrder[m]];
        gtMatches[gtRow + m] = pair.dtIds[d];
      }
    }
  }

  for (let d = 0; d < D; d++) {
    const area = pair.dtAreas[d];
    if (!(area < areaMin || area > areaMax)) continue;
    for (let t = 0; t < T; t++) if (dtMatches[t * D + d] === 0) dtIgnore[t * D + d] = 1;
  }
}

describe('matchImage against the loop without the row shortcut', () => {
  it('matches on random IoUs (ties, NaN, crowd, area ranges), with and without a precomputed rowBest', () => {
    const thresholds = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (D, G, seed) => {
          let state = seed;
          const next = () => {
            state = (state * 1103515245 + 12345) % 2147483648;
            return state / 2147483648;
          };
          const iou = () => {
            const r = next();
            return r < 0.05 ? Number.NaN : r < 0.3 ? 0 : r < 0.5 ? Math.round(next() * 4) / 4 : next();
          };
          const pair: PairData = {
            dtIds: Array.from({ length: D }, (_, d) => d + 1),
            dtAreas: Array.from({ length: D }, () => next() * 2000),
            gtIds: Array.from({ length: G }, (_, g) => (next() < 0.1 ? 0 : g + 100)),
            gtAreas: Array.from({ length: G }, () => next() * 2000),
            gtCrowd: Array.from({ length: G }, () => (next() < 0.2 ? 1 : 0)),
            ious: Array.from({ length: D * G }, iou),
          };
          const T = thresholds.length;
          const run = (f: (out: MatchBuffers) => void) => {
            const out = createMatchBuffers(T, D, G);
            f(out);
            return [out.gtOrder, out.gtIgnore, out.dtMatches, out.gtMatches, out.dtIgnore].map((a) =>
              Array.from(a),
            );
          };
          for (const [lo, hi] of [ALL, [0, 1024], [1024, 1e10]] as [number, number][]) {
            const want = run((out) => referenceMatch(pair, lo, hi, thresholds, out));
            expect(run((out) => matchImage(pair, lo, hi, thresholds, out))).toEqual(want);
            const rowBest = D > 0 && G > 0 ? bestIouPerDetection(pair.ious, D, G).slice() : undefined;
            expect(run((out) => matchImage(pair, lo, hi, thresholds, out, rowBest))).toEqual(want);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
