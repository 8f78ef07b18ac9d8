import { HypernetConfigError } from './errors';
import { mixSeed } from './rng';
import { DEFAULT_SCORER_CONFIG, TaskMaskScorer, type TaskScorerConfig } from './task-mask-scorer';
import { tf, useGradients } from './tf';

/** One mask: its pooled features and the index of its category (-1: background, no category). */
export interface ScorerExample {
  features: Float32Array;
  category: number;
}

export interface FitScorerOptions {
  /** Full-batch Adam steps (default 300). */
  iterations?: number;
  lr?: number;
  seed?: number;
  /** Dropout on the mask features and on the hidden layer: the training set is small (default 0.2, 0.3). */
  dropout?: [number, number];
  config?: TaskScorerConfig;
  /**
   * Weight each mask by (median category count / its category's count)^balance, so rare categories are not
   * drowned by COCO's many people, chairs and bottles (default 0: every mask alike; on coco-mini 0.5 and 1
   * lowered validation top-1 from 0.37 to 0.28 and 0.17 and did not raise the per-category mean).
   */
  balance?: number;
  onProgress?: (done: number, total: number, loss: number) => void;
}

function featureStats(
  examples: readonly ScorerExample[],
  dim: number,
): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (const { features } of examples)
    for (let i = 0; i < dim; i++) {
      mean[i] += features[i];
      sq[i] += features[i] * features[i];
    }
  const n = examples.length;
  const m = new Float32Array(dim);
  const s = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    m[i] = mean[i] / n;
    s[i] = Math.sqrt(Math.max(sq[i] / n - m[i] * m[i], 0)) + 1e-6;
  }
  return { mean: m, std: s };
}

/**
 * Trains a TaskMaskScorer: every mask against every category, a sigmoid cross-entropy per (mask, category)
 * pair, positive for the mask's own category; background masks are negative for all. Each step draws one
 * phrasing per category from `phrasings` (sentence embeddings), so the task tower learns the category, not
 * the template.
 */
export function fitTaskScorer(
  examples: readonly ScorerExample[],
  phrasings: readonly (readonly Float32Array[])[],
  options: FitScorerOptions = {},
): TaskMaskScorer {
  const config = { ...(options.config ?? DEFAULT_SCORER_CONFIG), references: phrasings.length };
  const { featureDim, hidden, jointDim, textDim } = config;
  const iterations = options.iterations ?? 300;
  const seed = options.seed ?? 0;
  const [dropIn, dropHidden] = options.dropout ?? [0.2, 0.3];
  const k = phrasings.length;
  if (examples.length === 0) throw new HypernetConfigError('scorer examples', 'none given');
  if (k === 0 || phrasings.some((p) => p.length === 0))
    throw new HypernetConfigError('scorer phrasings', 'every category needs at least one phrasing');
  for (const e of examples) {
    if (e.features.length !== featureDim)
      throw new HypernetConfigError(
        'scorer examples',
        `features have ${e.features.length} values, expected ${featureDim}`,
      );
    if (!(e.category >= -1 && e.category < k))
      throw new HypernetConfigError(
        'scorer examples',
        `category index ${e.category} is outside -1..${k - 1}`,
      );
  }

  const { mean, std } = featureStats(examples, featureDim);
  const n = examples.length;
  const counts = new Array<number>(k).fill(0);
  for (const e of examples) if (e.category >= 0) counts[e.category]++;
  const seen = counts.filter((c) => c > 0).sort((a, b) => a - b);
  const median = seen.length ? seen[Math.floor(seen.length / 2)] : 1;
  const balance = options.balance ?? 0;
  const rowWeight = new Float32Array(n);
  examples.forEach((e, r) => {
    rowWeight[r] = e.category >= 0 ? (median / counts[e.category]) ** balance : 1;
  });
  const weightSum = rowWeight.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * featureDim);
  const y = new Float32Array(n * k);
  examples.forEach((e, r) => {
    for (let i = 0; i < featureDim; i++) x[r * featureDim + i] = (e.features[i] - mean[i]) / std[i];
    if (e.category >= 0) y[r * k + e.category] = 1;
  });

  let draws = 0;
  const pick = (count: number) => {
    // Deterministic choice of phrasing per category and step.
    draws = (Math.imul(draws ^ seed, 0x9e3779b1) + 0x7f4a7c15) >>> 0;
    return draws % count;
  };
  const init = (shape: number[], fanIn: number, s: number) =>
    tf.variable(tf.randomNormal(shape, 0, 1 / Math.sqrt(fanIn), 'float32', s));
  const vars = {
    mask0: init([featureDim, hidden], featureDim, mixSeed(seed, 1)),
    mask0b: tf.variable(tf.zeros([hidden])),
    mask1: init([hidden, jointDim], hidden, mixSeed(seed, 2)),
    task0: init([textDim, hidden], textDim, mixSeed(seed, 3)),
    task0b: tf.variable(tf.zeros([hidden])),
    task1: init([hidden, jointDim], hidden, mixSeed(seed, 4)),
    logScale: tf.variable(tf.scalar(Math.log(10))),
    bias: tf.variable(tf.scalar(-4)),
  };
  const list = Object.values(vars);
  useGradients();
  const optimizer = tf.train.adam(options.lr ?? 1e-3);
  const xs = tf.tensor2d(x, [n, featureDim]);
  const ys = tf.tensor2d(y, [n, k]);
  const weights = tf.tensor2d(rowWeight, [n, 1]);
  const dropout = (t: tf.Tensor, rate: number, s: number) =>
    rate > 0
      ? tf.div(
          tf.mul(t, tf.cast(tf.greater(tf.randomUniform(t.shape, 0, 1, 'float32', s), rate), 'float32')),
          1 - rate,
        )
      : t;
  const normalize = (t: tf.Tensor2D) => tf.div(t, tf.add(tf.norm(t, 2, 1, true), 1e-6));

  try {
    for (let it = 0; it < iterations; it++) {
      const text = new Float32Array(k * textDim);
      for (let c = 0; c < k; c++) text.set(phrasings[c][pick(phrasings[c].length)], c * textDim);
      const cost = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const input = dropout(xs, dropIn, mixSeed(seed, it, 11));
            const h = dropout(
              tf.relu(tf.add(tf.matMul(input, vars.mask0), vars.mask0b)),
              dropHidden,
              mixSeed(seed, it, 12),
            );
            const m = normalize(tf.matMul(h, vars.mask1) as tf.Tensor2D);
            const t = tf.tensor2d(text, [k, textDim]);
            const task = normalize(
              tf.matMul(tf.relu(tf.add(tf.matMul(t, vars.task0), vars.task0b)), vars.task1) as tf.Tensor2D,
            );
            const logits = tf.add(tf.mul(tf.matMul(m, task, false, true), tf.exp(vars.logScale)), vars.bias);
            // Summed over categories, averaged over masks: each mask's one positive is not drowned by k - 1 negatives.
            const perPair = tf.losses.sigmoidCrossEntropy(ys, logits, undefined, 0, tf.Reduction.NONE);
            return tf.div(tf.sum(tf.mul(perPair, weights)), weightSum) as tf.Scalar;
          }),
        true,
        list,
      );
      const value = cost?.dataSync()[0] ?? Number.NaN;
      cost?.dispose();
      options.onProgress?.(it + 1, iterations, value);
    }
    const read = (v: tf.Variable) => v.dataSync() as Float32Array;
    const arrays = new Map<string, Float32Array>([
      ['feature_mean', mean],
      ['feature_std', std],
      ['mask.0.weight', read(vars.mask0)],
      ['mask.0.bias', read(vars.mask0b)],
      ['mask.1.weight', read(vars.mask1)],
      ['task.0.weight', read(vars.task0)],
      ['task.0.bias', read(vars.task0b)],
      ['task.1.weight', read(vars.task1)],
      ['log_scale', read(vars.logScale)],
      ['bias', read(vars.bias)],
      ['reference', new Float32Array(k * jointDim)],
    ]);
    const untilReferences = TaskMaskScorer.fromArrays({ ...config, references: 0 }, arrays);
    const reference = arrays.get('reference') as Float32Array;
    phrasings.forEach((list, c) => {
      const sum = new Float32Array(jointDim);
      for (const p of list)
        untilReferences.taskVector(p).forEach((v, i) => {
          sum[i] += v;
        });
      const norm = Math.sqrt(sum.reduce((s, v) => s + v * v, 0)) || 1;
      for (let i = 0; i < jointDim; i++) reference[c * jointDim + i] = sum[i] / norm;
    });
    return TaskMaskScorer.fromArrays(config, arrays);
  } finally {
    xs.dispose();
    ys.dispose();
    weights.dispose();
    for (const v of list) v.dispose();
    optimizer.dispose();
  }
}
