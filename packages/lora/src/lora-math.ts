import { LoraShapeError } from './errors/lora-shape-error';
import type { WeightLayout } from './lora-target';
import type { LoraLayer } from './lora-weights';

/** scaling · B · A as an [out, in] row-major matrix (accumulated in float64, rounded once). */
export function deltaWeight(layer: LoraLayer, scaling: number): Float32Array {
  const { a, b, rank, inFeatures, outFeatures } = layer;
  const delta = new Float32Array(outFeatures * inFeatures);
  const row = new Float64Array(inFeatures);
  for (let o = 0; o < outFeatures; o++) {
    row.fill(0);
    for (let r = 0; r < rank; r++) {
      const coefficient = scaling * b[o * rank + r];
      if (coefficient === 0) continue;
      const offset = r * inFeatures;
      for (let i = 0; i < inFeatures; i++) row[i] += coefficient * a[offset + i];
    }
    delta.set(row, o * inFeatures);
  }
  return delta;
}

/**
 * W' = W + scaling · B A for a weight stored in `layout`: `out-in` ([out, in], Gemm transB=1, PyTorch) or
 * `in-out` ([in, out], MatMul x·W). Returns a new array; `weight` is not modified.
 */
export function mergeIntoWeight(
  target: string,
  weight: Float32Array,
  layout: WeightLayout,
  layer: LoraLayer,
  scaling: number,
): Float32Array {
  const { inFeatures, outFeatures } = layer;
  if (weight.length !== inFeatures * outFeatures) {
    throw new LoraShapeError(
      target,
      `weight has ${weight.length} values but the LoRA is ${inFeatures}->${outFeatures} (${inFeatures * outFeatures})`,
    );
  }
  const delta = deltaWeight(layer, scaling);
  const merged = new Float32Array(weight.length);
  if (layout === 'out-in') {
    for (let k = 0; k < merged.length; k++) merged[k] = weight[k] + delta[k];
  } else {
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++)
        merged[i * outFeatures + o] = weight[i * outFeatures + o] + delta[o * inFeatures + i];
    }
  }
  return merged;
}

/** Frobenius norm of a flat matrix. */
export function frobeniusNorm(values: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += values[k] * values[k];
  return Math.sqrt(sum);
}

/**
 * ‖scaling · B A‖_F without forming the [out, in] product: ‖BA‖² = trace((BᵀB)(AAᵀ)), two rank×rank Grams.
 */
export function deltaNorm(layer: LoraLayer, scaling: number): number {
  const { a, b, rank, inFeatures, outFeatures } = layer;
  const gramA = new Float64Array(rank * rank);
  const gramB = new Float64Array(rank * rank);
  for (let p = 0; p < rank; p++) {
    for (let q = p; q < rank; q++) {
      let sa = 0;
      for (let i = 0; i < inFeatures; i++) sa += a[p * inFeatures + i] * a[q * inFeatures + i];
      let sb = 0;
      for (let o = 0; o < outFeatures; o++) sb += b[o * rank + p] * b[o * rank + q];
      gramA[p * rank + q] = gramA[q * rank + p] = sa;
      gramB[p * rank + q] = gramB[q * rank + p] = sb;
    }
  }
  let trace = 0;
  for (let k = 0; k < rank * rank; k++) trace += gramA[k] * gramB[k];
  return Math.abs(scaling) * Math.sqrt(Math.max(0, trace));
}
