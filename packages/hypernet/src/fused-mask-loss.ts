import { DEFAULT_LOSS_WEIGHTS, type LossParts, type LossWeights, withIouAndL2 } from './losses';
import { tf } from './tf';
import { MASK_TOKENS, UPSCALED_CHANNELS } from './tf-heads';

/** What the fused loss reads of a batch, all in JS memory. */
export interface FusedMaskTargets {
  /** The trunk's upscaled embeddings [prompts, 32, P], as the trunk returns them (never uploaded to tfjs). */
  upscaled: Float32Array;
  /** Which prompt's upscaled embedding each sample reads (samples that share a prompt share it). */
  prompt: ArrayLike<number>;
  /** Each sample's target [P] as 0/1 (the letterboxed 256x256 low-res frame). */
  masks: readonly Uint8Array[];
  /** Single-point prompts train the best of outputs 1-3, the others output 0. */
  multimask: readonly boolean[];
  /** Negative samples (the task names another category): empty mask, IoU 0. */
  negative: readonly boolean[];
}

/** Focal, dice and true IoU of one mask's logits against its target, and the sums dice's gradient needs. */
interface MaskStats {
  focal: number;
  dice: number;
  iou: number;
  /** Σ sigmoid + Σ target + 1, and 2 Σ sigmoid·target + 1: dice's denominator and numerator. */
  den: number;
  num: number;
}

/**
 * out[j] = Σ_c h[c] · up[c, j]: one output's low-res logits. Eight channels a pass over `out` (2.5x faster
 * than one in V8 here); UPSCALED_CHANNELS (32) is a multiple of 8.
 */
function maskLogits(h: Float32Array, hAt: number, up: Float32Array, upAt: number, out: Float32Array): void {
  const pixels = out.length;
  out.fill(0);
  for (let c = 0; c < UPSCALED_CHANNELS; c += 8) {
    const w = h.subarray(hAt + c, hAt + c + 8);
    const [w0, w1, w2, w3, w4, w5, w6, w7] = w;
    const r0 = upAt + c * pixels;
    const [r1, r2, r3, r4, r5, r6, r7] = [1, 2, 3, 4, 5, 6, 7].map((k) => r0 + k * pixels);
    for (let j = 0; j < pixels; j++)
      out[j] +=
        w0 * up[r0 + j] +
        w1 * up[r1 + j] +
        w2 * up[r2 + j] +
        w3 * up[r3 + j] +
        w4 * up[r4 + j] +
        w5 * up[r5 + j] +
        w6 * up[r6 + j] +
        w7 * up[r7 + j];
  }
}

/** out[c] = Σ_j g[j] · up[c, j] for the 32 channels, four a pass over `g`. */
function channelDots(
  g: Float32Array,
  up: Float32Array,
  upAt: number,
  out: Float32Array,
  outAt: number,
): void {
  const pixels = g.length;
  for (let c = 0; c < UPSCALED_CHANNELS; c += 4) {
    const r0 = upAt + c * pixels;
    const r1 = r0 + pixels;
    const r2 = r1 + pixels;
    const r3 = r2 + pixels;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < pixels; j++) {
      const v = g[j];
      s0 += v * up[r0 + j];
      s1 += v * up[r1 + j];
      s2 += v * up[r2 + j];
      s3 += v * up[r3 + j];
    }
    out[outAt + c] = s0;
    out[outAt + c + 1] = s1;
    out[outAt + c + 2] = s2;
    out[outAt + c + 3] = s3;
  }
}

/** Per-pixel sigmoid and BCE of one output's logits, kept for its gradient. */
interface PixelTerms {
  p: Float32Array;
  ce: Float32Array;
}

/**
 * The same terms as losses.ts `maskLosses` and `trueIou` (focal γ 2, BCE as softplus(x) - x·t), in one pass;
 * fills `pixels` with each pixel's sigmoid and BCE.
 */
function maskStats(x: Float32Array, t: Uint8Array, alpha: number, pixels: PixelTerms): MaskStats {
  let focalSum = 0;
  let sumP = 0;
  let sumT = 0;
  let inter = 0;
  let binary = 0;
  let binaryInter = 0;
  for (let j = 0; j < x.length; j++) {
    const v = x[j];
    const target = t[j];
    const e = Math.exp(-Math.abs(v));
    const p = v >= 0 ? 1 / (1 + e) : e / (1 + e);
    const softplus = Math.max(v, 0) + Math.log1p(e);
    const ce = softplus - v * target;
    pixels.p[j] = p;
    pixels.ce[j] = ce;
    const miss = target ? 1 - p : p; // 1 - pt
    focalSum += (target ? alpha : 1 - alpha) * miss * miss * ce;
    sumP += p;
    sumT += target;
    inter += p * target;
    if (v > 0) {
      binary += 1;
      binaryInter += target;
    }
  }
  const num = 2 * inter + 1;
  const den = sumP + sumT + 1;
  const union = binary + sumT - binaryInter;
  return {
    focal: focalSum / x.length,
    dice: 1 - num / den,
    iou: binaryInter / Math.max(union, 1),
    den,
    num,
  };
}

/** d(scale·(focalWeight·focal + diceWeight·dice)) / d logit, per pixel (the chain rule tfjs applies to maskLosses). */
function logitGradient(
  pixels: PixelTerms,
  t: Uint8Array,
  alpha: number,
  stats: MaskStats,
  focalScale: number,
  diceScale: number,
  out: Float32Array,
): void {
  const { p: sigmoid, ce: bce } = pixels;
  const focalPerPixel = focalScale / t.length;
  const den2 = stats.den * stats.den;
  for (let j = 0; j < t.length; j++) {
    const target = t[j];
    const p = sigmoid[j];
    const ce = bce[j];
    const miss = target ? 1 - p : p;
    const dp = p * (1 - p);
    // d/dx [alphaT · (1-pt)² · ce], with d(1-pt)/dx = -(2t-1)·p(1-p) and dce/dx = p - t.
    const focal =
      (target ? alpha : 1 - alpha) * (miss * miss * (p - target) - 2 * miss * (2 * target - 1) * dp * ce);
    const dice = (-(2 * target * stats.den - stats.num) / den2) * dp;
    out[j] = focalPerPixel * focal + diceScale * dice;
  }
}

/**
 * SAM's training loss, as losses.ts `samLoss` defines it, with the mask terms computed in JS from the trunk's
 * upscaled embedding instead of in tfjs: the logits of only the outputs a sample trains (1-3 for a single point,
 * whose best is chosen, else 0), their focal and dice losses, and the gradient of the chosen one with respect
 * to the heads' mask weights `hyperIn` [n, 4, 32], all in one pass per mask. On the wasm backend the same loss
 * over all four outputs took ~60% of a training step (a 67 MB upload, a slow batched matmul with 4 rows,
 * ~40 elementwise kernels over [n, 4, 65536] and their gradients). The IoU and L2 terms stay in tfjs.
 * Differentiable with respect to `hyperIn`, `iouPred` and `lora`; call inside variableGrads.
 */
export function fusedSamLoss(
  hyperIn: tf.Tensor3D,
  iouPred: tf.Tensor2D,
  targets: FusedMaskTargets,
  lora: readonly { a: tf.Tensor; b: tf.Tensor }[],
  weights: LossWeights = DEFAULT_LOSS_WEIGHTS,
): LossParts {
  const n = hyperIn.shape[0];
  const alpha = weights.focalAlpha ?? 0.25;
  const chosen: number[] = [];
  const iouTarget = new Float32Array(n * MASK_TOKENS);
  const iouMask = new Float32Array(n * MASK_TOKENS);
  let focalValue = 0;
  let diceValue = 0;
  const maskLoss = tf.customGrad(((h: tf.Tensor) => {
    const hv = h.dataSync() as Float32Array;
    const grad = new Float32Array(n * MASK_TOKENS * UPSCALED_CHANNELS);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const target = targets.masks[i];
      const pixels = target.length;
      const upAt = targets.prompt[i] * UPSCALED_CHANNELS * pixels;
      const outputs = targets.multimask[i] ? [1, 2, 3] : [0];
      const logits = outputs.map(() => new Float32Array(pixels));
      const terms = outputs.map(() => ({ p: new Float32Array(pixels), ce: new Float32Array(pixels) }));
      const stats = outputs.map((k, o) => {
        maskLogits(hv, (i * MASK_TOKENS + k) * UPSCALED_CHANNELS, targets.upscaled, upAt, logits[o]);
        return maskStats(logits[o], target, alpha, terms[o]);
      });
      const perMask = stats.map((s) => weights.focal * s.focal + weights.dice * s.dice);
      let best = 0;
      for (let o = 1; o < outputs.length; o++) if (perMask[o] < perMask[best]) best = o;
      const k = outputs[best];
      chosen.push(k);
      outputs.forEach((output, o) => {
        iouMask[i * MASK_TOKENS + output] = 1;
        iouTarget[i * MASK_TOKENS + output] = targets.negative[i] ? 0 : stats[o].iou;
      });
      const scale = (targets.negative[i] ? weights.negativeMask : 1) / n;
      loss += scale * perMask[best];
      focalValue += scale * stats[best].focal;
      diceValue += scale * stats[best].dice;
      // d loss / d hyperIn[i, k, c] = Σ_j g[j] · up[c, j]
      const g = new Float32Array(pixels);
      logitGradient(terms[best], target, alpha, stats[best], scale * weights.focal, scale * weights.dice, g);
      channelDots(g, targets.upscaled, upAt, grad, (i * MASK_TOKENS + k) * UPSCALED_CHANNELS);
    }
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor3d(grad, [n, MASK_TOKENS, UPSCALED_CHANNELS])),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0])(hyperIn) as tf.Scalar;

  return withIouAndL2(
    { loss: maskLoss, focal: focalValue, dice: diceValue, chosen },
    iouPred,
    { target: iouTarget, mask: iouMask },
    lora,
    weights,
  );
}
