import { fusedSamLoss } from './fused-mask-loss';
import { DEFAULT_LOSS_WEIGHTS, samLoss } from './losses';
import { Rng } from './rng';
import { tf, useBackend, useGradients } from './tf';
import { TfHeads } from './tf-heads';

beforeAll(async () => {
  await useBackend('wasm');
  useGradients();
});

const SIDE = 48;
const P = SIDE * SIDE;

/** A random batch: 5 samples over 3 prompts (two share one), single points and boxes, one negative. */
function batch(seed: number) {
  const rng = new Rng(seed);
  const prompts = 3;
  const upscaled = Float32Array.from({ length: prompts * 32 * P }, () => rng.normal());
  const prompt = Int32Array.from([0, 1, 2, 0, 1]);
  const n = prompt.length;
  const hyperIn = Float32Array.from({ length: n * 4 * 32 }, () => rng.normal() * 0.3);
  const iouPred = Float32Array.from({ length: n * 4 }, () => rng.next());
  // Each target a random rectangle (the negative's empty).
  const negative = [false, false, false, true, false];
  const masks = negative.map((neg) => {
    const m = new Uint8Array(P);
    if (neg) return m;
    const x0 = Math.floor(rng.next() * SIDE * 0.6);
    const y0 = Math.floor(rng.next() * SIDE * 0.6);
    const w = 4 + Math.floor(rng.next() * SIDE * 0.4);
    const h = 4 + Math.floor(rng.next() * SIDE * 0.4);
    for (let y = y0; y < Math.min(SIDE, y0 + h); y++)
      for (let x = x0; x < Math.min(SIDE, x0 + w); x++) m[y * SIDE + x] = 1;
    return m;
  });
  return {
    n,
    upscaled,
    prompt,
    hyperIn,
    iouPred,
    masks,
    multimask: [true, false, true, true, false],
    negative,
  };
}

/** The samples' own copies of their prompts' upscaled embeddings, as a tensor [n, 32, P]. */
function upscaledTensor(b: ReturnType<typeof batch>): tf.Tensor3D {
  const perSample = new Float32Array(b.n * 32 * P);
  b.prompt.forEach((p, i) => {
    perSample.set(b.upscaled.subarray(p * 32 * P, (p + 1) * 32 * P), i * 32 * P);
  });
  return tf.tensor3d(perSample, [b.n, 32, P]);
}

/** The reference: logits in tfjs and losses.ts samLoss. */
function reference(
  b: ReturnType<typeof batch>,
  upscaled: tf.Tensor3D,
  h: tf.Tensor3D,
  iou: tf.Tensor2D,
  lora: { a: tf.Tensor; b: tf.Tensor }[],
) {
  const logits = TfHeads.maskProduct(h, { upscaled });
  const masks = tf.tensor2d(Float32Array.from(b.masks.flatMap((m) => [...m])), [b.n, P]);
  return samLoss(logits, iou, { masks, multimask: b.multimask, negative: b.negative }, lora);
}

describe('fusedSamLoss', () => {
  it.each([1, 2, 3])('equals samLoss in value, chosen outputs and gradients (seed %i)', (seed) => {
    tf.tidy(() => {
      const b = batch(seed);
      const h = tf.tensor3d(b.hyperIn, [b.n, 4, 32]);
      const iou = tf.tensor2d(b.iouPred, [b.n, 4]);
      const lora = [
        {
          a: tf.randomNormal([b.n, 4, 8], 0, 0.1, 'float32', seed),
          b: tf.randomNormal([b.n, 8, 4], 0, 0.1, 'float32', seed + 1),
        },
      ];
      const fused = fusedSamLoss(h, iou, b, lora);
      const upscaled = upscaledTensor(b);
      const ref = reference(b, upscaled, h, iou, lora);
      expect(fused.chosen).toEqual(ref.chosen);
      for (const key of ['total', 'mask', 'focal', 'dice', 'iou', 'l2'] as const)
        expect(fused.values[key]).toBeCloseTo(ref.values[key], 5);
      const gradsOf = (loss: typeof fusedSamLoss) =>
        tf.grads(
          (x: tf.Tensor, y: tf.Tensor, a: tf.Tensor) =>
            loss(x as tf.Tensor3D, y as tf.Tensor2D, b as never, [{ a, b: lora[0].b }]).total,
        )([h, iou, lora[0].a]);
      const got = gradsOf(fusedSamLoss);
      const want = tf.grads(
        (x: tf.Tensor, y: tf.Tensor, a: tf.Tensor) =>
          reference(b, upscaled, x as tf.Tensor3D, y as tf.Tensor2D, [{ a, b: lora[0].b }]).total,
      )([h, iou, lora[0].a]);
      got.forEach((g, k) => {
        const w = want[k].dataSync();
        const scale = Math.max(...Array.from(w, Math.abs));
        expect(scale).toBeGreaterThan(0);
        const diff = Math.max(...Array.from(g.dataSync(), (v, i) => Math.abs(v - w[i])));
        expect(diff / scale).toBeLessThan(1e-4);
      });
    });
  });

  it('trains only the chosen output: the others get no gradient', () => {
    tf.tidy(() => {
      const b = batch(4);
      const h = tf.tensor3d(b.hyperIn, [b.n, 4, 32]);
      const iou = tf.tensor2d(b.iouPred, [b.n, 4]);
      const { chosen } = fusedSamLoss(h, iou, b, []);
      const g = tf
        .grad((x: tf.Tensor) => fusedSamLoss(x as tf.Tensor3D, iou, b, []).total)(h)
        .arraySync() as number[][][];
      g.forEach((sample, i) => {
        sample.forEach((row, k) => {
          const norm = Math.hypot(...row);
          if (k === chosen[i]) expect(norm).toBeGreaterThan(0);
          else expect(norm).toBe(0);
        });
      });
    });
  });

  it('weights a negative sample by negativeMask', () => {
    tf.tidy(() => {
      const b = { ...batch(5), negative: [true, true, true, true, true] };
      const h = tf.tensor3d(b.hyperIn, [b.n, 4, 32]);
      const iou = tf.tensor2d(b.iouPred, [b.n, 4]);
      const at = (negativeMask: number) =>
        fusedSamLoss(h, iou, b, [], { ...DEFAULT_LOSS_WEIGHTS, negativeMask }).values.mask;
      expect(at(0.1)).toBeCloseTo(at(1) * 0.1, 5);
    });
  });
});
