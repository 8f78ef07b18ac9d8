import { tf } from './tf';

export interface LossWeights {
  /** Weight of the focal term (SAM: 20). */
  focal: number;
  /**
   * Focal loss α: the weight of foreground pixels (background gets 1 - α). 0.25 (the detection default)
   * biases towards background: on held-out coco-mini train images it shrank large objects' masks (large
   * 1-click mIoU 0.399 at 0.25, 0.398 at 0.5, 0.450 at 0.75; plain SAM 0.507), so the default favours foreground.
   */
  focalAlpha: number;
  dice: number;
  /** Weight of the IoU-head MSE. */
  iou: number;
  /** Weight of the L2 penalty on generated A and B. */
  loraL2: number;
  /**
   * Weight of a negative sample's mask loss (its IoU term keeps full weight). Below 1 because the object
   * under the prompt is real: pushing its mask to empty too hard teaches "shrink everything" when two task
   * texts are close; the IoU head is what tells categories apart when tasam scores candidates.
   */
  negativeMask: number;
}

export const DEFAULT_LOSS_WEIGHTS: LossWeights = {
  focal: 20,
  focalAlpha: 0.75,
  dice: 1,
  iou: 1,
  loraL2: 1e-3,
  negativeMask: 0.02,
};

/** What each sample in a batch asks of the heads. */
export interface SampleTargets {
  /** Target masks in the letterboxed 256x256 low-res frame, [n, P] as 0/1. */
  masks: tf.Tensor2D;
  /** Single-point prompts train the best of multimask outputs 1-3, the others output 0. */
  multimask: boolean[];
  /** Negative samples (the task names another category): empty mask, IoU 0. */
  negative: boolean[];
}

export interface LossParts {
  total: tf.Scalar;
  /** Plain numbers for logging. */
  values: { total: number; mask: number; focal: number; dice: number; iou: number; l2: number };
  /** Index of the mask each sample was trained on. */
  chosen: number[];
}

/**
 * Per-mask focal (gamma 2, foreground weight alpha) and dice losses, both [n, 4], of logits [n, 4, P] against targets [n, P].
 * BCE is written as softplus(x) - x·t, which is stable for large |x|.
 */
export function maskLosses(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  alpha = DEFAULT_LOSS_WEIGHTS.focalAlpha,
): { focal: tf.Tensor2D; dice: tf.Tensor2D } {
  const t = tf.expandDims(targets, 1); // [n,1,P]
  const p = tf.sigmoid(logits);
  const ce = tf.sub(tf.softplus(logits), tf.mul(logits, t));
  const pt = tf.add(tf.mul(p, t), tf.mul(tf.sub(1, p), tf.sub(1, t)));
  const alphaT = tf.add(tf.mul(t, alpha), tf.mul(tf.sub(1, t), 1 - alpha));
  const focal = tf.mean(tf.mul(tf.mul(alphaT, tf.square(tf.sub(1, pt))), ce), 2) as tf.Tensor2D;
  const inter = tf.sum(tf.mul(p, t), 2);
  const num = tf.add(tf.mul(inter, 2), 1);
  const den = tf.add(tf.add(tf.sum(p, 2), tf.sum(t, 2)), 1);
  const dice = tf.sub(1, tf.div(num, den)) as tf.Tensor2D;
  return { focal, dice };
}

/** IoU of each thresholded mask (logit > 0) with its target, [n, 4] as numbers (no gradient). */
export function trueIou(logits: tf.Tensor3D, targets: tf.Tensor2D): Float32Array {
  return tf.tidy(() => {
    const bin = tf.cast(tf.greater(logits, 0), 'float32');
    const t = tf.expandDims(targets, 1);
    const inter = tf.sum(tf.mul(bin, t), 2);
    const union = tf.sub(tf.add(tf.sum(bin, 2), tf.sum(t, 2)), inter);
    return tf.div(inter, tf.maximum(union, 1)).dataSync() as Float32Array;
  });
}

/**
 * SAM's training loss on one batch: focal·20 + dice on the mask each sample trains (the lowest-loss of
 * outputs 1-3 for single-point prompts, output 0 otherwise; negatives weighted by `negativeMask`), MSE of the IoU head against each trained
 * output's true IoU (0 for negatives), and a small L2 on the generated LoRA.
 */
export function samLoss(
  logits: tf.Tensor3D,
  iouPred: tf.Tensor2D,
  targets: SampleTargets,
  lora: readonly { a: tf.Tensor; b: tf.Tensor }[],
  weights: LossWeights = DEFAULT_LOSS_WEIGHTS,
): LossParts {
  const n = logits.shape[0];
  const { focal, dice } = maskLosses(logits, targets.masks, weights.focalAlpha ?? 0.25);
  const perMask = tf.add(tf.mul(focal, weights.focal), tf.mul(dice, weights.dice));
  const perMaskValues = perMask.dataSync();
  const iouTrue = trueIou(logits, targets.masks);
  const pick = new Float32Array(n * 4);
  const iouMask = new Float32Array(n * 4);
  const iouTarget = new Float32Array(n * 4);
  const chosen: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    if (targets.multimask[i]) {
      best = 1;
      for (let k = 2; k < 4; k++) if (perMaskValues[i * 4 + k] < perMaskValues[i * 4 + best]) best = k;
      for (let k = 1; k < 4; k++) iouMask[i * 4 + k] = 1;
    } else iouMask[i * 4] = 1;
    chosen.push(best);
    pick[i * 4 + best] = (targets.negative[i] ? weights.negativeMask : 1) / n;
    for (let k = 0; k < 4; k++) iouTarget[i * 4 + k] = targets.negative[i] ? 0 : iouTrue[i * 4 + k];
  }
  const pickT = tf.tensor2d(pick, [n, 4]);
  const maskLoss = tf.sum(tf.mul(perMask, pickT)) as tf.Scalar;
  const focalV = tf.sum(tf.mul(focal, pickT)).dataSync()[0];
  const diceV = tf.sum(tf.mul(dice, pickT)).dataSync()[0];
  return withIouAndL2(
    { loss: maskLoss, focal: focalV, dice: diceV, chosen },
    iouPred,
    { target: iouTarget, mask: iouMask },
    lora,
    weights,
  );
}

/**
 * The rest of SAM's loss once the mask term is known: MSE of the IoU head against the true IoU of the outputs
 * in `iou.mask` (1 where trained), the L2 penalty on the generated LoRA, and the weighted total.
 */
export function withIouAndL2(
  mask: { loss: tf.Scalar; focal: number; dice: number; chosen: number[] },
  iouPred: tf.Tensor2D,
  iou: { target: Float32Array; mask: Float32Array },
  lora: readonly { a: tf.Tensor; b: tf.Tensor }[],
  weights: LossWeights,
): LossParts {
  const shape = iouPred.shape;
  let iouCount = 0;
  for (const v of iou.mask) iouCount += v;
  const iouLoss = tf.div(
    tf.sum(tf.mul(tf.square(tf.sub(iouPred, tf.tensor2d(iou.target, shape))), tf.tensor2d(iou.mask, shape))),
    Math.max(iouCount, 1),
  ) as tf.Scalar;
  let l2: tf.Scalar = tf.scalar(0);
  for (const { a, b } of lora) l2 = tf.add(l2, tf.add(tf.mean(tf.square(a)), tf.mean(tf.square(b))));
  if (lora.length > 0) l2 = tf.div(l2, lora.length);
  const total = tf.addN([mask.loss, tf.mul(iouLoss, weights.iou), tf.mul(l2, weights.loraL2)]) as tf.Scalar;
  return {
    total,
    chosen: mask.chosen,
    values: {
      total: total.dataSync()[0],
      mask: mask.loss.dataSync()[0],
      focal: mask.focal,
      dice: mask.dice,
      iou: iouLoss.dataSync()[0],
      l2: l2.dataSync()[0],
    },
  };
}
