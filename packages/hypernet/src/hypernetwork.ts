import { type HypernetConfig, targetParts } from './hypernet-config';
import { Rng } from './rng';
import { tf } from './tf';

/** A generated LoRA for one target, batched over tasks: A [tasks, rank, in], B [tasks, out, rank]. */
export interface TargetLoraTensors {
  a: tf.Tensor3D;
  b: tf.Tensor3D;
}

export interface ForwardOptions {
  /** Dropout on (training only). */
  training?: boolean;
  /** Seeds this call's dropout masks (deterministic training). */
  dropoutSeed?: number;
}

let instanceCounter = 0;

/**
 * The text → LoRA hypernetwork. Tokens: the projected text embedding plus one learned query per target
 * (module-type + layer-index embeddings, as in Text-to-LoRA) through a pre-norm transformer; each target's
 * output token feeds an A head and a B head shared by all targets with the same in (A) or out (B) width.
 * B heads start at zero, so an untrained hypernetwork generates ΔW = 0 and the decoder is plain SAM.
 *
 * Parameter names (safetensors keys) are stable; matmul weights are stored [in, out].
 */
export class Hypernetwork {
  readonly config: HypernetConfig;
  readonly params: Map<string, tf.Variable>;
  private readonly modules: string[];
  private readonly targetModule: Int32Array;
  private readonly targetLayer: Int32Array;
  private readonly id = instanceCounter++;

  private constructor(config: HypernetConfig, values: Map<string, tf.Tensor>) {
    this.config = config;
    this.modules = [...new Set(config.targets.map((t) => targetParts(t.path).module))];
    this.targetModule = Int32Array.from(config.targets, (t) =>
      this.modules.indexOf(targetParts(t.path).module),
    );
    this.targetLayer = Int32Array.from(config.targets, (t) => targetParts(t.path).layer);
    this.params = new Map();
    for (const [name, value] of values) {
      this.params.set(name, tf.variable(value, true, `hypernet${this.id}/${name}`));
      value.dispose();
    }
  }

  /** The parameter names and shapes this config needs, in a fixed order. */
  static parameterShapes(config: HypernetConfig): Map<string, number[]> {
    const { dModel: d, mlpDim: h, rank: r, textDim } = config;
    const modules = new Set(config.targets.map((t) => targetParts(t.path).module));
    // A loop, not Math.max(...): a spread of a long target list overflows the stack.
    const layers = config.targets.reduce((m, t) => Math.max(m, targetParts(t.path).layer), -Infinity) + 1;
    const shapes = new Map<string, number[]>();
    shapes.set('text_proj.weight', [textDim, d]);
    shapes.set('text_proj.bias', [d]);
    shapes.set('text_token', [d]);
    shapes.set('module_embed', [modules.size, d]);
    shapes.set('layer_embed', [layers, d]);
    for (let i = 0; i < config.layers; i++) {
      const p = `blocks.${i}`;
      shapes.set(`${p}.ln1.gamma`, [d]);
      shapes.set(`${p}.ln1.beta`, [d]);
      shapes.set(`${p}.attn.qkv.weight`, [d, 3 * d]);
      shapes.set(`${p}.attn.qkv.bias`, [3 * d]);
      shapes.set(`${p}.attn.out.weight`, [d, d]);
      shapes.set(`${p}.attn.out.bias`, [d]);
      shapes.set(`${p}.ln2.gamma`, [d]);
      shapes.set(`${p}.ln2.beta`, [d]);
      shapes.set(`${p}.mlp.fc1.weight`, [d, h]);
      shapes.set(`${p}.mlp.fc1.bias`, [h]);
      shapes.set(`${p}.mlp.fc2.weight`, [h, d]);
      shapes.set(`${p}.mlp.fc2.bias`, [d]);
    }
    shapes.set('final_ln.gamma', [d]);
    shapes.set('final_ln.beta', [d]);
    for (const inF of new Set(config.targets.map((t) => t.inFeatures))) {
      shapes.set(`head_a.${inF}.weight`, [d, r * inF]);
      shapes.set(`head_a.${inF}.bias`, [r * inF]);
    }
    for (const outF of new Set(config.targets.map((t) => t.outFeatures))) {
      shapes.set(`head_b.${outF}.weight`, [d, outF * r]);
      shapes.set(`head_b.${outF}.bias`, [outF * r]);
    }
    return shapes;
  }

  static parameterCount(config: HypernetConfig): number {
    let total = 0;
    for (const shape of Hypernetwork.parameterShapes(config).values())
      total += shape.reduce((a, b) => a * b, 1);
    return total;
  }

  /** A freshly initialised network; the same seed gives the same weights. */
  static initialise(config: HypernetConfig, seed = 0): Hypernetwork {
    const rng = new Rng(seed);
    const values = new Map<string, tf.Tensor>();
    for (const [name, shape] of Hypernetwork.parameterShapes(config)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      let std = 0.02;
      let fill: number | undefined;
      if (name.endsWith('.bias') || name.endsWith('.beta')) fill = 0;
      else if (name.endsWith('.gamma')) fill = 1;
      else if (name.startsWith('head_b.'))
        fill = 0; // ΔW = B·A = 0 at init: plain SAM
      else if (name.startsWith('head_a.')) {
        // After the final LayerNorm tokens have unit variance; this gives A entries of std 1/sqrt(in),
        // the scale of PEFT's default A initialisation.
        const inF = Number(name.split('.')[1]);
        std = 1 / Math.sqrt(inF * config.dModel);
      }
      if (fill === undefined) for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
      else data.fill(fill);
      values.set(name, tf.tensor(data, shape));
    }
    return new Hypernetwork(config, values);
  }

  /** A network from named arrays (a checkpoint); throws on missing or misshapen entries. */
  static fromArrays(config: HypernetConfig, arrays: ReadonlyMap<string, Float32Array>): Hypernetwork {
    const values = new Map<string, tf.Tensor>();
    for (const [name, shape] of Hypernetwork.parameterShapes(config)) {
      const data = arrays.get(name);
      const size = shape.reduce((a, b) => a * b, 1);
      if (!data || data.length !== size) {
        for (const v of values.values()) v.dispose();
        throw new RangeError(
          `parameter ${name}: expected ${size} values, got ${data ? data.length : 'none'}`,
        );
      }
      values.set(name, tf.tensor(data, shape));
    }
    return new Hypernetwork(config, values);
  }

  /** Reads every parameter back as named Float32Arrays (for checkpoints). */
  toArrays(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.params) out.set(name, v.dataSync() as Float32Array);
    return out;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`missing parameter ${name}`);
    return v;
  }

  /**
   * text [tasks, textDim] → one LoRA per target, batched over tasks. Differentiable; call inside
   * tf.tidy / variableGrads.
   */
  forward(text: tf.Tensor2D, options: ForwardOptions = {}): Map<string, TargetLoraTensors> {
    const { dModel: d, heads, rank: r, targets } = this.config;
    const tasks = text.shape[0];
    const k = targets.length;
    const tokens = k + 1;
    const dropoutRng = new Rng(options.dropoutSeed ?? 0);
    const rate = options.training ? this.config.dropout : 0;
    const drop = (x: tf.Tensor): tf.Tensor =>
      rate > 0 ? tf.dropout(x, rate, undefined, dropoutRng.int(2 ** 31)) : x;

    const textToken = tf.add(
      tf.add(tf.matMul(text, this.p('text_proj.weight')), this.p('text_proj.bias')),
      this.p('text_token'),
    );
    // One-hot matmuls instead of gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
    const queries = tf.add(
      tf.matMul(oneHotRows(this.targetModule, this.modules.length), this.p('module_embed')),
      tf.matMul(oneHotRows(this.targetLayer, this.p('layer_embed').shape[0]), this.p('layer_embed')),
    );
    // [tasks*tokens, d], token 0 of each task is its text.
    let x = tf.reshape(
      tf.concat([tf.expandDims(drop(textToken), 1), tf.tile(tf.expandDims(queries, 0), [tasks, 1, 1])], 1),
      [tasks * tokens, d],
    );
    const dh = d / heads;
    for (let i = 0; i < this.config.layers; i++) {
      const pre = `blocks.${i}`;
      const h1 = layerNorm(x, this.p(`${pre}.ln1.gamma`), this.p(`${pre}.ln1.beta`));
      const qkv = tf.add(tf.matMul(h1, this.p(`${pre}.attn.qkv.weight`)), this.p(`${pre}.attn.qkv.bias`));
      // Columns [3, heads, dh] → q, k, v as [tasks, heads, tokens, dh]. Split first, then 4-d transposes: the
      // wasm backend's 5-d transpose (and its gradient) took ~40 ms a layer, the 4-d ones ~1 ms.
      const [q, kk, v] = tf
        .split(qkv, 3, 1)
        .map((part) => tf.transpose(tf.reshape(part, [tasks, tokens, heads, dh]), [0, 2, 1, 3]));
      const scores = tf.mul(tf.matMul(q, tf.transpose(kk, [0, 1, 3, 2])), 1 / Math.sqrt(dh));
      const attended = tf.matMul(drop(tf.softmax(scores)), v); // [tasks, heads, tokens, dh]
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [tasks * tokens, d]);
      x = tf.add(
        x,
        drop(tf.add(tf.matMul(merged, this.p(`${pre}.attn.out.weight`)), this.p(`${pre}.attn.out.bias`))),
      );
      const h2 = layerNorm(x, this.p(`${pre}.ln2.gamma`), this.p(`${pre}.ln2.beta`));
      const hidden = gelu(
        tf.add(tf.matMul(h2, this.p(`${pre}.mlp.fc1.weight`)), this.p(`${pre}.mlp.fc1.bias`)),
      );
      x = tf.add(
        x,
        drop(tf.add(tf.matMul(hidden, this.p(`${pre}.mlp.fc2.weight`)), this.p(`${pre}.mlp.fc2.bias`))),
      );
    }
    const out = tf.reshape(layerNorm(x, this.p('final_ln.gamma'), this.p('final_ln.beta')), [
      tasks,
      tokens,
      d,
    ]);

    const result = new Map<string, TargetLoraTensors>();
    const byIn = groupBy(
      targets.map((t, i) => ({ t, i })),
      (e) => e.t.inFeatures,
    );
    const byOut = groupBy(
      targets.map((t, i) => ({ t, i })),
      (e) => e.t.outFeatures,
    );
    const aOf = new Map<number, tf.Tensor3D>();
    const bOf = new Map<number, tf.Tensor3D>();
    for (const [inF, group] of byIn) {
      const idx = oneHotRows(
        group.map((e) => e.i + 1),
        tokens,
      );
      const tok = tf.reshape(tf.matMul(tf.tile(tf.expandDims(idx, 0), [tasks, 1, 1]), out), [
        tasks * group.length,
        d,
      ]);
      const a = tf.reshape(
        tf.add(tf.matMul(tok, this.p(`head_a.${inF}.weight`)), this.p(`head_a.${inF}.bias`)),
        [tasks, group.length, r, inF],
      );
      group.forEach((e, j) => {
        aOf.set(e.i, tf.squeeze(tf.slice(a, [0, j, 0, 0], [tasks, 1, r, inF]), [1]) as tf.Tensor3D);
      });
    }
    for (const [outF, group] of byOut) {
      const idx = oneHotRows(
        group.map((e) => e.i + 1),
        tokens,
      );
      const tok = tf.reshape(tf.matMul(tf.tile(tf.expandDims(idx, 0), [tasks, 1, 1]), out), [
        tasks * group.length,
        d,
      ]);
      const b = tf.reshape(
        tf.add(tf.matMul(tok, this.p(`head_b.${outF}.weight`)), this.p(`head_b.${outF}.bias`)),
        [tasks, group.length, outF, r],
      );
      group.forEach((e, j) => {
        bOf.set(e.i, tf.squeeze(tf.slice(b, [0, j, 0, 0], [tasks, 1, outF, r]), [1]) as tf.Tensor3D);
      });
    }
    targets.forEach((t, i) => {
      result.set(t.path, { a: aOf.get(i) as tf.Tensor3D, b: bOf.get(i) as tf.Tensor3D });
    });
    return result;
  }
}

/** Rows of the identity picked by index: [indices.length, size]; multiplying by it selects rows. */
export function oneHotRows(indices: ArrayLike<number>, size: number): tf.Tensor2D {
  const data = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) data[i * size + indices[i]] = 1;
  return tf.tensor2d(data, [indices.length, size]);
}

function groupBy<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

/** GELU, tanh approximation (tfjs-core has no GELU op). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}
