import fc from 'fast-check';
import { accumulatePairs, byDescendingScore } from './accumulate';
import { IGNORED, MATCHED, type PairTable } from './pair-table';

const eps = 2.220446049250313e-16;

/** One area range, one IoU threshold; pairs given as [catIndex, imgIndex, scores, flags, gtKept]. */
function table(pairs: [number, number, number[], number[], number][]): PairTable {
  const dtOffset = new Int32Array(pairs.length + 1);
  pairs.forEach(([, , scores], p) => {
    dtOffset[p + 1] = dtOffset[p] + scores.length;
  });
  return {
    count: pairs.length,
    catIndex: Int32Array.from(pairs, (p) => p[0]),
    imgIndex: Int32Array.from(pairs, (p) => p[1]),
    dtCount: Int32Array.from(pairs, (p) => p[2].length),
    gtCount: Int32Array.from(pairs, (p) => p[4]),
    dtOffset,
    dtScores: Float64Array.from(pairs.flatMap((p) => p[2])),
    flags: Uint8Array.from(pairs.flatMap((p) => p[3])),
    gtKept: Int32Array.from(pairs, (p) => p[4]),
  };
}

const shape = { iouThrs: [0.5], recThrs: [0, 0.5, 1], categories: 3, areaRanges: 1, maxDets: [1, 10] };
// precision/scores index [t, r, k, a, m] with T = A = 1, R = 3, K = 3, M = 2
const at = (r: number, k: number, m: number) => (r * 3 + k) * 2 + m;

describe('accumulatePairs (COCOeval.accumulate)', () => {
  const acc = accumulatePairs(
    table([
      [0, 0, [0.9, 0.3], [MATCHED, 0], 2],
      [0, 1, [0.6], [MATCHED], 1],
      [1, 0, [0.8, 0.7], [IGNORED, 0], 0], // no GT kept: stays -1
    ]),
    shape,
  );
  const p = acc.precision.data;

  it('sorts detections of all images by score, and reads monotone precision at the recall thresholds', () => {
    // maxDets 10: 0.9 TP, 0.6 TP, 0.3 FP over 3 GT: recall 1/3, 2/3, 2/3
    const pr1 = 2 / (0 + 2 + eps);
    expect([p[at(0, 0, 1)], p[at(1, 0, 1)], p[at(2, 0, 1)]]).toEqual([pr1, pr1, 0]);
    expect(acc.recall.data[0 * 2 + 1]).toBe(2 / 3);
    expect([
      acc.scores.data[at(0, 0, 1)],
      acc.scores.data[at(1, 0, 1)],
      acc.scores.data[at(2, 0, 1)],
    ]).toEqual([0.9, 0.6, 0]);
  });

  it('cuts each image to maxDets before sorting', () => {
    // maxDets 1: 0.9 TP (image 0), 0.6 TP (image 1)
    expect(acc.recall.data[0 * 2 + 0]).toBe(2 / 3);
    expect([p[at(0, 0, 0)], p[at(1, 0, 0)], p[at(2, 0, 0)]]).toEqual([
      2 / (0 + 2 + eps),
      2 / (0 + 2 + eps),
      0,
    ]);
  });

  it('leaves -1 for categories without kept GT or without any evaluated image', () => {
    for (const k of [1, 2]) {
      expect(p[at(0, k, 1)]).toBe(-1);
      expect(acc.recall.data[k * 2 + 1]).toBe(-1);
    }
    expect(acc.precision.dims).toEqual([1, 3, 3, 1, 2]);
    expect(acc.recall.dims).toEqual([1, 3, 1, 2]);
  });

  it('breaks score ties by image order, then rank within the image', () => {
    // equal scores: image 0's FP comes before image 1's TP, so precision at recall 1 is 1/2
    const tied = accumulatePairs(
      table([
        [0, 0, [0.5], [0], 1],
        [0, 1, [0.5], [MATCHED], 0],
      ]),
      { ...shape, categories: 1 },
    );
    expect(tied.precision.data[(2 * 1 + 0) * 2 + 1]).toBe(1 / (1 + 1 + eps));
  });

  it('gives recall 0 and precision 0 when GT exist but no detection', () => {
    const none = accumulatePairs(table([[0, 0, [], [], 2]]), { ...shape, categories: 1 });
    expect(Array.from(none.recall.data)).toEqual([0, 0]);
    expect(Array.from(none.precision.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('excludes ignored detections from TP and FP but keeps their place', () => {
    const ignored = accumulatePairs(
      table([[0, 0, [0.9, 0.8, 0.7], [IGNORED, MATCHED, IGNORED | MATCHED], 1]]),
      {
        ...shape,
        categories: 1,
      },
    );
    // tp 0,1,1 fp 0,0,0: recall 0,1,1 -> threshold 0 reads index 0 (precision 1 after the monotone pass)
    expect(ignored.precision.data[1]).toBe(1 / (0 + 1 + eps));
    expect(ignored.scores.data[1]).toBe(0.9);
    expect(ignored.scores.data[2 * 2 + 1]).toBe(0.8);
  });
});

describe('byDescendingScore', () => {
  it('orders as a stable sort by descending score (np.argsort(-s, kind="mergesort")), -0 equal to 0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0, -0, 0.5, 1, 1e-300, -2), fc.double({ noNaN: true })), {
          maxLength: 200,
        }),
        (values) => {
          const scores = Float64Array.from(values);
          const want = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
          expect(Array.from(byDescendingScore(scores))).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
