import type { HypernetTarget } from './hypernet-config';
import { tf } from './tf';

/** SAM's head layers as stored in the decoder (sam-runtime's HeadWeights satisfies this). */
export interface HeadWeightsLike {
  layers: ReadonlyMap<
    string,
    { weight: Float32Array; bias: Float32Array; inFeatures: number; outFeatures: number }
  >;
}

/** A batch's LoRA, one per sample: A [n, rank, in], B [n, out, rank] per target path. */
export interface BatchLora {
  scaling: number;
  layers: ReadonlyMap<string, { a: tf.Tensor3D; b: tf.Tensor3D }>;
}

/** The trunk outputs of n prompts, on the tfjs side. */
export interface TfTrunk {
  iouToken: tf.Tensor2D; // [n, 256]
  maskTokens: tf.Tensor3D; // [n, 4, 256]
  /** Upscaled embedding [n, 32, P] (P = 256·256), as the trunk returns it. */
  upscaled: tf.Tensor3D;
}

export const MASK_TOKENS = 4;
export const UPSCALED_CHANNELS = 32;
export const LOW_RES = 256;

/**
 * SAM's decoder heads in tfjs, differentiable with respect to a per-sample LoRA: the four hypernetwork MLPs
 * (mask token i → 32 channel weights), the IoU MLP, and the mask product with the upscaled embedding.
 * Each adapted layer computes W x + b + scaling · B (A x) (PEFT). The base weights are constants.
 */
export class TfHeads {
  private readonly layers = new Map<string, { weightT: tf.Tensor2D; bias: tf.Tensor1D }>();

  constructor(weights: HeadWeightsLike) {
    for (const [path, l] of weights.layers) {
      const w = tf.tensor2d(l.weight, [l.outFeatures, l.inFeatures]);
      this.layers.set(path, {
        weightT: tf.keep(tf.transpose(w)) as tf.Tensor2D,
        bias: tf.keep(tf.tensor1d(l.bias)),
      });
      w.dispose();
    }
  }

  /** Head layers as HypernetTargets (paths and shapes), for checks against a hypernetwork's config. */
  static targetsOf(weights: HeadWeightsLike): HypernetTarget[] {
    return [...weights.layers].map(([path, l]) => ({
      path,
      inFeatures: l.inFeatures,
      outFeatures: l.outFeatures,
    }));
  }

  dispose(): void {
    for (const l of this.layers.values()) {
      l.weightT.dispose();
      l.bias.dispose();
    }
  }

  private linear(path: string, x: tf.Tensor2D, lora?: BatchLora): tf.Tensor2D {
    const layer = this.layers.get(path);
    if (!layer) throw new RangeError(`head weights have no layer ${path}`);
    let y = tf.add(tf.matMul(x, layer.weightT), layer.bias) as tf.Tensor2D;
    const adapter = lora?.layers.get(path);
    if (adapter && lora) {
      const [n, inF] = x.shape;
      const ax = tf.matMul(tf.reshape(x, [n, 1, inF]), adapter.a, false, true); // [n,1,r]
      const bax = tf.matMul(ax, adapter.b, false, true); // [n,1,out]
      y = tf.add(y, tf.mul(tf.reshape(bax, y.shape), lora.scaling));
    }
    return y;
  }

  private mlp(prefix: string, x: tf.Tensor2D, lora?: BatchLora): tf.Tensor2D {
    let h = x;
    for (let l = 0; l < 3; l++) {
      h = this.linear(`${prefix}.layers.${l}`, h, lora);
      if (l < 2) h = tf.relu(h);
    }
    return h;
  }

  /** Mask-token weights [n, 4, 32] and IoU predictions [n, 4]. */
  predict(
    trunk: Pick<TfTrunk, 'iouToken' | 'maskTokens'>,
    lora?: BatchLora,
  ): { hyperIn: tf.Tensor3D; iou: tf.Tensor2D } {
    const tokens = tf.unstack(trunk.maskTokens, 1) as tf.Tensor2D[];
    const hyperIn = tf.stack(
      tokens.map((t, i) => this.mlp(`output_hypernetworks_mlps.${i}`, t, lora)),
      1,
    ) as tf.Tensor3D;
    const iou = this.mlp('iou_prediction_head', trunk.iouToken, lora);
    return { hyperIn, iou };
  }

  /**
   * Low-res mask logits [n, 4, P] (mask-major, the trunk's own layout, so no 16M-element transpose is needed).
   * The gradient with respect to hyperIn is (up · dyᵀ)ᵀ: only the small dy [n, 4, P] is transposed.
   */
  static maskProduct(hyperIn: tf.Tensor3D, trunk: Pick<TfTrunk, 'upscaled'>): tf.Tensor3D {
    const product = tf.customGrad(((h: tf.Tensor) => ({
      value: tf.matMul(h as tf.Tensor3D, trunk.upscaled),
      gradFunc: (dy: tf.Tensor) =>
        tf.transpose(tf.matMul(trunk.upscaled, tf.transpose(dy, [0, 2, 1]) as tf.Tensor3D), [0, 2, 1]),
    })) as unknown as Parameters<typeof tf.customGrad>[0]);
    return product(hyperIn) as tf.Tensor3D;
  }
}

/** Uploads n prompts' trunk outputs. */
export function toTfTrunk(trunk: {
  n: number;
  iouToken: Float32Array;
  maskTokens: Float32Array;
  upscaled: Float32Array;
}): TfTrunk {
  const { n } = trunk;
  const p = LOW_RES * LOW_RES;
  return {
    iouToken: tf.tensor2d(trunk.iouToken, [n, 256]),
    maskTokens: tf.tensor3d(trunk.maskTokens, [n, MASK_TOKENS, 256]),
    upscaled: tf.tensor3d(trunk.upscaled, [n, UPSCALED_CHANNELS, p]),
  };
}

export function disposeTfTrunk(t: TfTrunk): void {
  t.iouToken.dispose();
  t.maskTokens.dispose();
  t.upscaled.dispose();
}
