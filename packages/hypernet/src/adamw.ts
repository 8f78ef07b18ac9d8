import { tf } from './tf';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Global gradient-norm clip (0 = off). */
  clipNorm: number;
}

export const DEFAULT_ADAMW: AdamWOptions = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0.01,
  clipNorm: 1,
};

/**
 * AdamW (decoupled weight decay, Loshchilov & Hutter) with global-norm clipping. Its state (step, m, v) is
 * plain named tensors so a checkpoint can save and restore it exactly. Weight decay skips vectors
 * (biases, LayerNorm, token embeddings).
 */
export class AdamW {
  step = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly options: AdamWOptions = DEFAULT_ADAMW,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /**
   * Applies one update at learning rate `lr` (times `lrScale(name)` per parameter); returns the gradient
   * norm before clipping.
   */
  apply(grads: Record<string, tf.Tensor>, lr: number, lrScale?: (name: string) => number): number {
    this.step += 1;
    const { beta1, beta2, epsilon, weightDecay, clipNorm } = this.options;
    const names = [...this.params.keys()].filter((n) => grads[n] !== undefined);
    const norm = tf.tidy(() =>
      Math.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))).dataSync()[0]),
    );
    const scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
    const bc1 = 1 - beta1 ** this.step;
    const bc2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const name of names) {
        const p = this.params.get(name) as tf.Variable;
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const g = scale === 1 ? grads[name] : tf.mul(grads[name], scale);
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        const update = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), epsilon));
        const rate = lr * (lrScale ? lrScale(name) : 1);
        let next = tf.sub(p, tf.mul(update, rate));
        if (weightDecay > 0 && p.rank >= 2) next = tf.sub(next, tf.mul(p, rate * weightDecay));
        p.assign(next);
      }
    });
    return norm;
  }

  /** m and v as named arrays (`m.<param>`, `v.<param>`). */
  stateArrays(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, t] of this.m) out.set(`m.${name}`, t.dataSync() as Float32Array);
    for (const [name, t] of this.v) out.set(`v.${name}`, t.dataSync() as Float32Array);
    return out;
  }

  loadState(step: number, arrays: ReadonlyMap<string, Float32Array>): void {
    this.step = step;
    for (const [kind, map] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      for (const [name, t] of map) {
        const data = arrays.get(`${kind}.${name}`);
        if (!data || data.length !== t.size)
          throw new RangeError(`optimizer state ${kind}.${name} missing or misshapen`);
        t.assign(tf.tensor(data, t.shape));
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/** Linear warmup to `peak`, then cosine decay to `peak·minRatio` at `total` steps. */
export function learningRate(
  step: number,
  total: number,
  peak: number,
  warmup: number,
  minRatio = 0.05,
): number {
  if (warmup > 0 && step < warmup) return (peak * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
