import { decodeDetections } from './decode';
import { candidateThreshold, mergeDetections, mirrorBox, mirrorDetections } from './merge';
import { nonMaxSuppression } from './nms';
import { resolveDetectOptions } from './options';
import type { Box } from './types';

const det = (box: Box, score: number, categoryId = 1) => ({ box, score, categoryId });

describe('mirrorBox / mirrorDetections', () => {
  it('maps a box of the mirrored image back: x -> width - x, corners swapped, y unchanged', () => {
    expect(mirrorBox([10, 20, 110, 220], 640)).toEqual([530, 20, 630, 220]);
    expect(mirrorBox([0, 0, 640, 480], 640)).toEqual([0, 0, 640, 480]);
    expect(mirrorBox([0, 5, 40, 9], 640)).toEqual([600, 5, 640, 9]);
  });

  it('is its own inverse and keeps the other fields', () => {
    const detections = [det([3.5, 1, 17.25, 9], 0.7, 22), det([0, 0, 33, 20], 0.1, 17)];
    const mirrored = mirrorDetections(detections, 33);
    expect(mirrored.map((d) => [d.categoryId, d.score])).toEqual([
      [22, 0.7],
      [17, 0.1],
    ]);
    expect(mirrored[1].box).toEqual([0, 0, 33, 20]);
    expect(mirrorDetections(mirrored, 33)).toEqual(detections);
  });

  it('agrees with decoding a mirrored model input: a box at input x maps to input 512 - x', () => {
    // A box the model finds in the mirrored 512x512 input, decoded for a 640-wide image and mirrored back,
    // equals the box at the mirrored input position decoded directly.
    const row = (x1: number, x2: number) => Float32Array.from([x1, 100, x2, 300, 0.9, 20]);
    const options = { scoreThreshold: 0.05 };
    const [fromMirror] = mirrorDetections(decodeDetections(row(64, 192), 640, 480, options), 640);
    const [direct] = decodeDetections(row(512 - 192, 512 - 64), 640, 480, options);
    for (let k = 0; k < 4; k++) expect(fromMirror.box[k]).toBeCloseTo(direct.box[k], 9);
    expect(fromMirror.box).toEqual([400, 93.75, 560, 281.25]);
  });
});

describe('mergeDetections', () => {
  const pass = [
    det([0, 0, 10, 10], 0.9),
    det([1, 0, 11, 10], 0.8), // IoU 9/11 with the first
    det([20, 20, 30, 30], 0.04), // under the default threshold
    det([0, 0, 10, 10], 0.3, 2),
  ];

  it("with one pass and 'nms' is the single-pass detector: threshold, per-class NMS, maxDetections", () => {
    const options = resolveDetectOptions({ maxDetections: 2 });
    expect(mergeDetections([pass], options)).toEqual([pass[0], pass[3]]);
    expect(mergeDetections([pass], resolveDetectOptions())).toEqual(
      nonMaxSuppression(
        pass.filter((d) => d.score >= 0.05),
        0.5,
      ),
    );
    expect(candidateThreshold(options)).toBe(0.05);
  });

  it("'nms' over two passes keeps the better box of a pair and the boxes only one pass found", () => {
    const mirrored = [det([0.5, 0, 10.5, 10], 0.95), det([50, 50, 60, 60], 0.2)];
    const merged = mergeDetections([pass, mirrored], resolveDetectOptions({ augment: 'flip' }));
    expect(merged).toEqual([mirrored[0], pass[3], mirrored[1]]);
  });

  it("'wbf' removes each pass's duplicates, fuses across passes, halves single-pass scores, then thresholds", () => {
    const mirrored = [det([2, 0, 12, 10], 0.5), det([50, 50, 60, 60], 0.12)];
    const options = resolveDetectOptions({ augment: 'flip', merge: 'wbf' });
    expect(options).toMatchObject({ nmsIou: 0.8, fusionIou: 0.6 });
    expect(candidateThreshold(options)).toBe(0.01); // WBF_CANDIDATE_FLOOR: under it a box adds at most 0.005 to a fused score
    const merged = mergeDetections([pass, mirrored], options);
    // Category 1: [1,0,11,10] 0.8 is a duplicate of [0,0,10,10] 0.9 in its pass (IoU 9/11 > 0.8); the latter
    // fuses with the mirror's [2,0,12,10] 0.5 (IoU 8/12 > 0.6); [20,20,30,30] 0.04 alone scores 0.02 (under
    // 0.05) and [50,50,60,60] 0.12 scores 0.06. Category 2: 0.3 -> 0.15.
    expect(merged.map((d) => [d.categoryId, Number(d.score.toFixed(9))])).toEqual([
      [1, 0.7],
      [2, 0.15],
      [1, 0.06],
    ]);
    const expected = [1 / 1.4, 0, 10 + 1 / 1.4, 10];
    for (let k = 0; k < 4; k++) expect(merged[0].box[k]).toBeCloseTo(expected[k], 9);
    expect(mergeDetections([pass, mirrored], { ...options, maxDetections: 1 })).toHaveLength(1);
    expect(mergeDetections([pass, mirrored], { ...options, scoreThreshold: 0.1 })).toHaveLength(2);
    // With nmsIou 0.85 the duplicate stays in its pass; it cannot join the cluster of its pass's better box
    // (one box of each pass a cluster), starts its own, and the mirror's box joins it (IoU 9/11 against 8/12).
    const loose = mergeDetections([pass, mirrored], { ...options, nmsIou: 0.85 });
    expect(loose.map((d) => Number(d.score.toFixed(9)))).toEqual([0.65, 0.45, 0.15, 0.06]);
    expect(loose[1].box).toEqual([0, 0, 10, 10]);
  });

  it("'wbf' of one pass is NMS at nmsIou with scores unchanged", () => {
    const options = resolveDetectOptions({ merge: 'wbf', nmsIou: 0.5 });
    expect(mergeDetections([pass], options)).toEqual(mergeDetections([pass], resolveDetectOptions()));
  });

  it('gives nothing for no passes', () => {
    expect(mergeDetections([], resolveDetectOptions())).toEqual([]);
    expect(mergeDetections([], resolveDetectOptions({ merge: 'wbf' }))).toEqual([]);
  });
});
