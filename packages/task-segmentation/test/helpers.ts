import {
  DEFAULT_SCORER_CONFIG,
  type HeadWeightsLike,
  Rng,
  scorerParameterShapes,
  TaskMaskScorer,
  type TaskScorerConfig,
} from '@tasam/hypernet';
import { HEAD_TARGETS } from '@tasam/lora';

/** Random head weights with SAM's head shapes (scaled like a trained linear). */
export function randomHeadWeights(seed = 1): HeadWeightsLike {
  const rng = new Rng(seed);
  const layers = new Map<
    string,
    { weight: Float32Array; bias: Float32Array; inFeatures: number; outFeatures: number }
  >();
  for (const t of HEAD_TARGETS) {
    const weight = Float32Array.from(
      { length: t.inFeatures * t.outFeatures },
      () => rng.normal() / Math.sqrt(t.inFeatures),
    );
    const bias = Float32Array.from({ length: t.outFeatures }, () => rng.normal() * 0.1);
    layers.set(t.path, { weight, bias, inFeatures: t.inFeatures, outFeatures: t.outFeatures });
  }
  return { layers };
}

export function randomArray(length: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => rng.normal() * scale);
}

/** Random trunk outputs for n prompts. */
export function randomTrunk(n: number, seed: number) {
  return {
    n,
    iouToken: randomArray(n * 256, seed),
    maskTokens: randomArray(n * 4 * 256, seed + 1),
    upscaled: randomArray(n * 32 * 256 * 256, seed + 2, 0.5),
  };
}

/** A task scorer with random weights (for tests of the plumbing, not of what it has learnt). */
export function randomScorer(seed = 3, config: TaskScorerConfig = DEFAULT_SCORER_CONFIG): TaskMaskScorer {
  const rng = new Rng(seed);
  const arrays = new Map<string, Float32Array>();
  for (const [name, shape] of scorerParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: size }, () => rng.normal() * 0.1);
    if (name === 'feature_std') values.fill(1);
    if (name === 'log_scale') values.fill(Math.log(10));
    arrays.set(name, values);
  }
  return TaskMaskScorer.fromArrays(config, arrays);
}
