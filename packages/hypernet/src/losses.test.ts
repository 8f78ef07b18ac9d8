import { DEFAULT_LOSS_WEIGHTS, maskLosses, samLoss } from './losses';
import { tf, useBackend } from './tf';

beforeAll(async () => {
  await useBackend('wasm');
});

const P = 16;

/** Logits [1, 4, P] where mask k predicts `on[k]` pixels (a prefix of the row) as foreground. */
function logitsFor(on: number[]): tf.Tensor3D {
  const data = new Float32Array(4 * P);
  on.forEach((count, k) => {
    for (let p = 0; p < P; p++) data[k * P + p] = p < count ? 4 : -4;
  });
  return tf.tensor3d(data, [1, 4, P]);
}

/** A target whose first `count` pixels are foreground. */
function targetOf(count: number): tf.Tensor2D {
  return tf.tensor2d(
    Float32Array.from({ length: P }, (_, p) => (p < count ? 1 : 0)),
    [1, P],
  );
}

describe('maskLosses', () => {
  it('weights foreground errors by alpha and background errors by 1 - alpha', () => {
    tf.tidy(() => {
      // Mask 0 misses 4 foreground pixels; mask 1 adds 4 background pixels.
      const logits = logitsFor([4, 12, 8, 8]);
      const target = targetOf(8);
      const at = (alpha: number) => maskLosses(logits, target, alpha).focal.dataSync();
      const balanced = at(0.5);
      expect(balanced[0]).toBeCloseTo(balanced[1], 6);
      const detection = at(0.25);
      // alpha 0.25 punishes a missed foreground pixel 3x less than a false one: it favours smaller masks.
      expect(detection[1] / detection[0]).toBeCloseTo(3, 4);
      expect(balanced[2]).toBeLessThan(balanced[0] / 100);
    });
  });

  it('dice is ~0 for a perfect mask and ~1 for a disjoint one', () => {
    tf.tidy(() => {
      const { dice } = maskLosses(logitsFor([8, 0, 16, 8]), targetOf(8));
      const d = dice.dataSync();
      expect(d[0]).toBeLessThan(0.05);
      expect(d[1]).toBeGreaterThan(0.85);
    });
  });
});

describe('samLoss', () => {
  it('trains the best of masks 1-3 for a single point and mask 0 otherwise', () => {
    tf.tidy(() => {
      const logits = tf.concat([logitsFor([8, 16, 8, 0]), logitsFor([8, 16, 8, 0])]) as tf.Tensor3D;
      const masks = tf.concat([targetOf(8), targetOf(8)]) as tf.Tensor2D;
      const parts = samLoss(
        logits,
        tf.zeros([2, 4]),
        { masks, multimask: [true, false], negative: [false, false] },
        [],
      );
      expect(parts.chosen).toEqual([2, 0]);
    });
  });

  it('weights a negative sample mask loss by negativeMask but keeps its IoU target at 0', () => {
    tf.tidy(() => {
      const logits = logitsFor([0, 8, 8, 8]);
      const empty = targetOf(0);
      const iou = tf.tensor2d([[0.9, 0.9, 0.9, 0.9]]);
      const loss = (negativeMask: number) =>
        samLoss(logits, iou, { masks: empty, multimask: [false], negative: [true] }, [], {
          ...DEFAULT_LOSS_WEIGHTS,
          negativeMask,
        }).values;
      const full = loss(1);
      const weak = loss(0.1);
      expect(weak.mask).toBeCloseTo(full.mask * 0.1, 5);
      // Mask 0 is empty like the target (IoU 1 by the empty-union rule is not used: negatives target 0).
      expect(weak.iou).toBeCloseTo(0.81, 4);
    });
  });
});
