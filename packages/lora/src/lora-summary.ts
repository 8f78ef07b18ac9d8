import { deltaNorm, frobeniusNorm } from './lora-math';
import type { LoraWeights } from './lora-weights';

export interface LoraLayerSummary {
  path: string;
  inFeatures: number;
  outFeatures: number;
  /** Frobenius norms of A, B and of the applied update scaling·B·A. */
  normA: number;
  normB: number;
  normDelta: number;
}

export interface LoraSummary {
  rank: number;
  alpha: number;
  scaling: number;
  rsLora: boolean;
  textEncoder?: string;
  task?: string;
  extra: Record<string, string>;
  /** Number of LoRA parameters (A and B of every layer). */
  parameters: number;
  layers: LoraLayerSummary[];
}

/** What `tasam lora inspect` prints: hyper-parameters, metadata and per-layer norms. */
export function summarizeLora(weights: LoraWeights): LoraSummary {
  const layers = [...weights.layers].map(([path, layer]) => ({
    path,
    inFeatures: layer.inFeatures,
    outFeatures: layer.outFeatures,
    normA: frobeniusNorm(layer.a),
    normB: frobeniusNorm(layer.b),
    normDelta: deltaNorm(layer, weights.scaling),
  }));
  const { textEncoder, task, extra } = weights.metadata;
  return {
    rank: weights.rank,
    alpha: weights.alpha,
    scaling: weights.scaling,
    rsLora: weights.rsLora,
    ...(textEncoder !== undefined ? { textEncoder } : {}),
    ...(task !== undefined ? { task } : {}),
    extra: { ...extra },
    parameters: [...weights.layers.values()].reduce((n, l) => n + l.a.length + l.b.length, 0),
    layers,
  };
}
