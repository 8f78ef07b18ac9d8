import { decodeMask, type Rle } from '@tasam/coco-data';
import type { Tensor32 } from '@tasam/sam-runtime';
import { HypernetConfigError } from './errors';

/** SAM's image embedding is [256, 64, 64] over the letterboxed 1024x1024 frame: one cell per 16x16 pixels. */
export const EMBEDDING_GRID = 64;
const CHANNELS = 256;
const MODEL_SIZE = 1024;
/** Samples per cell side (the 256x256 lattice the decoder's low-res masks and letterboxTarget use). */
const SUB = 4;

export interface TaskScorerConfig {
  /** Pooled mask features: mean and max of each embedding channel over the mask. */
  featureDim: number;
  hidden: number;
  /** The joint space where a mask and a task meet. */
  jointDim: number;
  textDim: number;
  /**
   * Reference task vectors stored with the scorer (one per training category, the mean over its phrasings):
   * a mask's best reference is the scorer's best guess of what it shows, against which a task is compared.
   */
  references?: number;
}

export const DEFAULT_SCORER_CONFIG: TaskScorerConfig = {
  featureDim: 2 * CHANNELS,
  hidden: 256,
  jointDim: 128,
  textDim: 512,
};

/** Tensors of a scorer, by name (the checkpoint stores them with the `scorer.` prefix). */
export function scorerParameterShapes(config: TaskScorerConfig): Map<string, number[]> {
  const { featureDim: f, hidden: h, jointDim: d, textDim: t } = config;
  return new Map<string, number[]>([
    ['feature_mean', [f]],
    ['feature_std', [f]],
    ['mask.0.weight', [f, h]],
    ['mask.0.bias', [h]],
    ['mask.1.weight', [h, d]],
    ['task.0.weight', [t, h]],
    ['task.0.bias', [h]],
    ['task.1.weight', [h, d]],
    ['log_scale', [1]],
    ['bias', [1]],
    ...(config.references ? [['reference', [config.references, d]] as [string, number[]]] : []),
  ]);
}

/**
 * The fraction of each embedding cell a mask covers, sampled on the 256x256 lattice of the letterboxed frame
 * (image scaled by 1024 / longest side, padded right and bottom; padding is uncovered).
 */
export function embeddingGridCoverage(rle: Rle): Float32Array {
  const { h, w } = rle;
  const mask = decodeMask(rle);
  const scale = MODEL_SIZE / Math.max(h, w);
  const lattice = EMBEDDING_GRID * SUB;
  const step = MODEL_SIZE / lattice;
  const coverage = new Float32Array(EMBEDDING_GRID * EMBEDDING_GRID);
  const share = 1 / (SUB * SUB);
  for (let i = 0; i < lattice; i++) {
    const y = Math.floor(((i + 0.5) * step) / scale);
    if (y >= h) break;
    const rowCell = (i / SUB) | 0;
    for (let j = 0; j < lattice; j++) {
      const x = Math.floor(((j + 0.5) * step) / scale);
      if (x >= w) break;
      if (mask[y * w + x]) coverage[rowCell * EMBEDDING_GRID + ((j / SUB) | 0)] += share;
    }
  }
  return coverage;
}

/**
 * A mask's image features: per channel, the coverage-weighted mean of the embedding over the mask and the
 * max over the cells it mostly covers (the mean again when it mostly covers none). Undefined for an empty mask.
 */
export function pooledMaskFeatures(embedding: Tensor32, coverage: Float32Array): Float32Array | undefined {
  const cells = EMBEDDING_GRID * EMBEDDING_GRID;
  if (embedding.data.length !== CHANNELS * cells) {
    throw new HypernetConfigError('image embedding', `expected [1,256,64,64], got [${embedding.dims}]`);
  }
  let total = 0;
  const inside: number[] = [];
  const mostly: number[] = [];
  for (let k = 0; k < cells; k++) {
    if (coverage[k] > 0) {
      total += coverage[k];
      inside.push(k);
      if (coverage[k] > 0.5) mostly.push(k);
    }
  }
  if (total === 0) return undefined;
  const features = new Float32Array(2 * CHANNELS);
  const data = embedding.data;
  for (let c = 0; c < CHANNELS; c++) {
    const base = c * cells;
    let sum = 0;
    for (const k of inside) sum += coverage[k] * data[base + k];
    const mean = sum / total;
    let max = -Infinity;
    for (const k of mostly) if (data[base + k] > max) max = data[base + k];
    features[c] = mean;
    features[CHANNELS + c] = mostly.length ? max : mean;
  }
  return features;
}

/**
 * The square of (2 radius + 1)^2 embedding cells around an image point, as a coverage: a stand-in mask for
 * asking the scorer "does the task's object lie here?" before any mask exists (guided prompting).
 */
export function pointPatchCoverage(
  x: number,
  y: number,
  size: { width: number; height: number },
  radius = 1,
): Float32Array {
  const scale = MODEL_SIZE / Math.max(size.width, size.height);
  const cell = MODEL_SIZE / EMBEDDING_GRID;
  const cx = Math.min(EMBEDDING_GRID - 1, Math.max(0, Math.floor((x * scale) / cell)));
  const cy = Math.min(EMBEDDING_GRID - 1, Math.max(0, Math.floor((y * scale) / cell)));
  const coverage = new Float32Array(EMBEDDING_GRID * EMBEDDING_GRID);
  for (let yy = Math.max(0, cy - radius); yy <= Math.min(EMBEDDING_GRID - 1, cy + radius); yy++)
    for (let xx = Math.max(0, cx - radius); xx <= Math.min(EMBEDDING_GRID - 1, cx + radius); xx++)
      coverage[yy * EMBEDDING_GRID + xx] = 1;
  return coverage;
}

/** y = x W (+ b), W stored [in, out] row-major. */
function linear(x: Float32Array, w: Float32Array, out: number, b?: Float32Array): Float32Array {
  const y = new Float32Array(out);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * out;
    for (let o = 0; o < out; o++) y[o] += xi * w[row + o];
  }
  if (b) for (let o = 0; o < out; o++) y[o] += b[o];
  return y;
}

function reluInPlace(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) if (x[i] < 0) x[i] = 0;
  return x;
}

function unit(x: Float32Array): Float32Array {
  let norm = 0;
  for (const v of x) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < x.length; i++) x[i] /= norm;
  return x;
}

/**
 * Does a mask show what the task asks for? A two-tower scorer: the task's sentence embedding is turned into a
 * unit vector (in effect a classifier generated from the text), the mask's pooled SAM image features into
 * another; their scaled cosine plus a bias is the logit of "this mask is the task's kind of object". SAM's
 * heads judge mask quality; they cannot tell a suitcase from a giraffe, and this can. Plain JS at inference
 * (a few hundred thousand multiply-adds per mask), trained with tfjs (`fitTaskScorer`).
 */
export class TaskMaskScorer {
  private constructor(
    readonly config: TaskScorerConfig,
    private readonly params: Map<string, Float32Array>,
  ) {}

  static fromArrays(config: TaskScorerConfig, arrays: ReadonlyMap<string, Float32Array>): TaskMaskScorer {
    const params = new Map<string, Float32Array>();
    for (const [name, shape] of scorerParameterShapes(config)) {
      const values = arrays.get(name);
      const size = shape.reduce((a, b) => a * b, 1);
      if (!values) throw new HypernetConfigError('task scorer', `tensor ${name} is missing`);
      if (values.length !== size)
        throw new HypernetConfigError(
          'task scorer',
          `tensor ${name} has ${values.length} values, expected ${size}`,
        );
      params.set(name, values);
    }
    return new TaskMaskScorer(config, params);
  }

  toArrays(): Map<string, Float32Array> {
    return new Map(this.params);
  }

  private p(name: string): Float32Array {
    return this.params.get(name) as Float32Array;
  }

  /** The task's unit vector in the joint space (compute once per task). */
  taskVector(textEmbedding: Float32Array): Float32Array {
    const { textDim, hidden, jointDim } = this.config;
    if (textEmbedding.length !== textDim) {
      throw new HypernetConfigError(
        'task embedding',
        `has ${textEmbedding.length} values, expected ${textDim}`,
      );
    }
    const h = reluInPlace(linear(textEmbedding, this.p('task.0.weight'), hidden, this.p('task.0.bias')));
    return unit(linear(h, this.p('task.1.weight'), jointDim));
  }

  /** A mask's unit vector in the joint space, from `pooledMaskFeatures`. */
  maskVector(features: Float32Array): Float32Array {
    const { featureDim, hidden, jointDim } = this.config;
    if (features.length !== featureDim) {
      throw new HypernetConfigError('mask features', `has ${features.length} values, expected ${featureDim}`);
    }
    const mean = this.p('feature_mean');
    const std = this.p('feature_std');
    const x = new Float32Array(featureDim);
    for (let i = 0; i < featureDim; i++) x[i] = (features[i] - mean[i]) / std[i];
    const h = reluInPlace(linear(x, this.p('mask.0.weight'), hidden, this.p('mask.0.bias')));
    return unit(linear(h, this.p('mask.1.weight'), jointDim));
  }

  /** P(the mask is what the task asks for). */
  probability(maskVector: Float32Array, taskVector: Float32Array): number {
    let dot = 0;
    for (let i = 0; i < maskVector.length; i++) dot += maskVector[i] * taskVector[i];
    const logit = Math.exp(this.p('log_scale')[0]) * dot + this.p('bias')[0];
    return 1 / (1 + Math.exp(-logit));
  }

  /**
   * How the task fares against the scorer's best guess for the mask: P(task) / max(P(task), P(best
   * reference category)), 1 when the task is at least as likely as every known category (1 without references).
   */
  relative(maskVector: Float32Array, taskProbability: number): number {
    const references = this.params.get('reference');
    if (!references) return 1;
    if (taskProbability <= 0) return 0;
    const d = this.config.jointDim;
    let best = taskProbability;
    for (let r = 0; r < references.length / d; r++) {
      const p = this.probability(maskVector, references.subarray(r * d, (r + 1) * d));
      if (p > best) best = p;
    }
    return taskProbability / best;
  }

  /** Convenience: probability for a mask given as an RLE at the image's size. */
  scoreMask(embedding: Tensor32, rle: Rle, taskVector: Float32Array): number {
    const features = pooledMaskFeatures(embedding, embeddingGridCoverage(rle));
    return features ? this.probability(this.maskVector(features), taskVector) : 0;
  }
}
