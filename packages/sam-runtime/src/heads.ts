import { InvalidTensorError } from './errors';
import { LOW_RES_PIXELS, MASK_TOKENS, TOKEN_DIM, type TrunkOutput, UPSCALED_CHANNELS } from './trunk-output';

/** One head linear layer as stored in the decoder: weight [out,in] row-major (PyTorch layout), bias [out]. */
export interface HeadLayer {
  weight: Float32Array;
  bias: Float32Array;
  inFeatures: number;
  outFeatures: number;
}

/** The decoder's head layers keyed by module path, e.g. 'output_hypernetworks_mlps.0.layers.1'. */
export interface HeadWeights {
  layers: ReadonlyMap<string, HeadLayer>;
}

/**
 * A LoRA for the head layers in PEFT layout: per layer A [rank,in] and B [out,rank]; the layer computes
 * W x + b + scaling * B (A x). `@tasam/lora`'s LoraWeights satisfies this type.
 */
export interface HeadLora {
  scaling: number;
  layers: ReadonlyMap<string, { a: Float32Array; b: Float32Array; rank: number }>;
}

/** What the heads predict before the mask product. */
export interface HeadOutputs {
  /** Per prompt and mask token, the hypernetwork output that weights the 32 upscaled channels, [n,4,32]. */
  maskWeights: Float32Array;
  /** Predicted IoU of each of the 4 masks, [n,4]. */
  iouPredictions: Float32Array;
}

/** The module paths of the 15 head linears (the default LoRA placement). */
export const HEAD_LAYER_NAMES: readonly string[] = [
  ...[0, 1, 2, 3].flatMap((m) => [0, 1, 2].map((l) => `output_hypernetworks_mlps.${m}.layers.${l}`)),
  ...[0, 1, 2].map((l) => `iou_prediction_head.layers.${l}`),
];

const ALL_MASK_TOKENS: readonly number[] = [0, 1, 2, 3];

/** A three-layer MLP with ReLU between layers (SAM's MLP with sigmoid_output=False). */
function runMlp(
  prefix: string,
  weights: HeadWeights,
  lora: HeadLora | undefined,
  input: Float32Array,
  output: Float32Array,
): void {
  let x = input;
  for (let l = 0; l < 3; l++) {
    const name = `${prefix}.layers.${l}`;
    const layer = weights.layers.get(name);
    if (!layer) throw new InvalidTensorError('head weights', `missing layer ${name}`);
    const y = l === 2 ? output : new Float32Array(layer.outFeatures);
    linear(layer, lora?.layers.get(name), lora?.scaling ?? 0, x, y);
    if (l < 2) for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
    x = y;
  }
}

function linear(
  layer: HeadLayer,
  adapter: { a: Float32Array; b: Float32Array; rank: number } | undefined,
  scaling: number,
  x: Float32Array,
  y: Float32Array,
): void {
  const { weight, bias, inFeatures: n, outFeatures: m } = layer;
  for (let o = 0; o < m; o++) {
    let sum = 0;
    const row = o * n;
    for (let i = 0; i < n; i++) sum += weight[row + i] * x[i];
    y[o] = sum + bias[o];
  }
  if (!adapter || scaling === 0) return;
  const { a, b, rank } = adapter;
  const ax = new Float64Array(rank);
  for (let r = 0; r < rank; r++) {
    let sum = 0;
    const row = r * n;
    for (let i = 0; i < n; i++) sum += a[row + i] * x[i];
    ax[r] = sum;
  }
  for (let o = 0; o < m; o++) {
    let sum = 0;
    const row = o * rank;
    for (let r = 0; r < rank; r++) sum += b[row + r] * ax[r];
    y[o] += scaling * sum;
  }
}

/** Throws unless every LoRA layer targets a head layer with matching shapes (silently ignoring one would be a bug). */
export function assertLoraFitsHeads(weights: HeadWeights, lora: HeadLora): void {
  if (!Number.isFinite(lora.scaling))
    throw new InvalidTensorError('lora', `scaling must be finite, got ${lora.scaling}`);
  for (const [name, adapter] of lora.layers) {
    const layer = weights.layers.get(name);
    if (!layer) {
      throw new InvalidTensorError(
        `lora layer ${name}`,
        `not a head layer (heads: ${HEAD_LAYER_NAMES.join(', ')})`,
      );
    }
    const { rank, a, b } = adapter;
    if (!Number.isInteger(rank) || rank < 1)
      throw new InvalidTensorError(`lora layer ${name}`, `bad rank ${rank}`);
    if (a.length !== rank * layer.inFeatures || b.length !== layer.outFeatures * rank) {
      throw new InvalidTensorError(
        `lora layer ${name}`,
        `expected A [${rank},${layer.inFeatures}] and B [${layer.outFeatures},${rank}], got ${a.length} and ${b.length} values`,
      );
    }
  }
}

function assertTrunk(trunk: TrunkOutput): void {
  const { n } = trunk;
  if (
    trunk.iouToken.length !== n * TOKEN_DIM ||
    trunk.maskTokens.length !== n * MASK_TOKENS * TOKEN_DIM ||
    trunk.upscaled.length !== n * UPSCALED_CHANNELS * LOW_RES_PIXELS
  ) {
    throw new InvalidTensorError('trunk output', `array lengths do not match n=${n} prompts`);
  }
}

/**
 * The small part of the heads: the four hypernetwork MLPs and the IoU MLP, with an optional LoRA. Cheap
 * (about 0.6 MFLOP a prompt), so scoring many tasks against one trunk run costs little. `maskTokens` (default
 * all four) limits the hypernetwork MLPs run to the masks that will be made; the other tokens' mask weights stay
 * zero. The IoU predictions of all four masks are always computed (one MLP).
 */
export function predictHeads(
  trunk: TrunkOutput,
  weights: HeadWeights,
  lora?: HeadLora,
  maskTokens: readonly number[] = ALL_MASK_TOKENS,
): HeadOutputs {
  assertTrunk(trunk);
  if (lora) assertLoraFitsHeads(weights, lora);
  for (const m of maskTokens)
    if (!Number.isInteger(m) || m < 0 || m >= MASK_TOKENS)
      throw new InvalidTensorError('maskTokens', `mask token ${m} is not one of 0-${MASK_TOKENS - 1}`);
  const { n } = trunk;
  const maskWeights = new Float32Array(n * MASK_TOKENS * UPSCALED_CHANNELS);
  const iouPredictions = new Float32Array(n * MASK_TOKENS);
  for (let p = 0; p < n; p++) {
    for (const m of maskTokens) {
      const token = trunk.maskTokens.subarray(
        (p * MASK_TOKENS + m) * TOKEN_DIM,
        (p * MASK_TOKENS + m + 1) * TOKEN_DIM,
      );
      const out = maskWeights.subarray(
        (p * MASK_TOKENS + m) * UPSCALED_CHANNELS,
        (p * MASK_TOKENS + m + 1) * UPSCALED_CHANNELS,
      );
      runMlp(`output_hypernetworks_mlps.${m}`, weights, lora, token, out);
    }
    const iouToken = trunk.iouToken.subarray(p * TOKEN_DIM, (p + 1) * TOKEN_DIM);
    runMlp(
      'iou_prediction_head',
      weights,
      lora,
      iouToken,
      iouPredictions.subarray(p * MASK_TOKENS, (p + 1) * MASK_TOKENS),
    );
  }
  return { maskWeights, iouPredictions };
}

/**
 * out += sum over the 32 channels of weights[c] * upscaled[c], for one prompt's upscaled embedding [32,65536].
 * Eight channels per pass over `out` (and subarray views with zero offsets) make V8 emit a tight loop: about
 * 3x faster than one channel per pass.
 */
function accumulateMaskProduct(
  out: Float32Array,
  weights: Float32Array,
  w: number,
  upscaled: Float32Array,
  base: number,
): void {
  const P = LOW_RES_PIXELS;
  for (let c = 0; c < UPSCALED_CHANNELS; c += 8) {
    const k0 = weights[w + c];
    const k1 = weights[w + c + 1];
    const k2 = weights[w + c + 2];
    const k3 = weights[w + c + 3];
    const k4 = weights[w + c + 4];
    const k5 = weights[w + c + 5];
    const k6 = weights[w + c + 6];
    const k7 = weights[w + c + 7];
    const at = base + c * P;
    const u0 = upscaled.subarray(at, at + P);
    const u1 = upscaled.subarray(at + P, at + 2 * P);
    const u2 = upscaled.subarray(at + 2 * P, at + 3 * P);
    const u3 = upscaled.subarray(at + 3 * P, at + 4 * P);
    const u4 = upscaled.subarray(at + 4 * P, at + 5 * P);
    const u5 = upscaled.subarray(at + 5 * P, at + 6 * P);
    const u6 = upscaled.subarray(at + 6 * P, at + 7 * P);
    const u7 = upscaled.subarray(at + 7 * P, at + 8 * P);
    for (let i = 0; i < P; i++) {
      out[i] +=
        k0 * u0[i] + k1 * u1[i] + k2 * u2[i] + k3 * u3[i] + k4 * u4[i] + k5 * u5[i] + k6 * u6[i] + k7 * u7[i];
    }
  }
}

/**
 * The mask product for one prompt and mask token: low-res logits [256*256] = maskWeights[p,m,:] · upscaled[p].
 */
export function maskLogits(
  trunk: TrunkOutput,
  maskWeights: Float32Array,
  prompt: number,
  mask: number,
  out: Float32Array = new Float32Array(LOW_RES_PIXELS),
): Float32Array {
  out.fill(0);
  const w = (prompt * MASK_TOKENS + mask) * UPSCALED_CHANNELS;
  accumulateMaskProduct(out, maskWeights, w, trunk.upscaled, prompt * UPSCALED_CHANNELS * LOW_RES_PIXELS);
  return out;
}

/**
 * The decoder heads in TypeScript: hypernetwork MLPs, IoU MLP and the mask product, with an optional LoRA.
 * Returns low-res mask logits [n,4,256,256] and predicted IoUs [n,4], as SAM's MaskDecoder.predict_masks.
 */
export function runHeads(
  trunk: TrunkOutput,
  weights: HeadWeights,
  lora?: HeadLora,
): { lowResMasks: Float32Array; iouPredictions: Float32Array } {
  const { maskWeights, iouPredictions } = predictHeads(trunk, weights, lora);
  const lowResMasks = new Float32Array(trunk.n * MASK_TOKENS * LOW_RES_PIXELS);
  for (let p = 0; p < trunk.n; p++) {
    for (let m = 0; m < MASK_TOKENS; m++) {
      const at = (p * MASK_TOKENS + m) * LOW_RES_PIXELS;
      const out = lowResMasks.subarray(at, at + LOW_RES_PIXELS);
      accumulateMaskProduct(
        out,
        maskWeights,
        (p * MASK_TOKENS + m) * UPSCALED_CHANNELS,
        trunk.upscaled,
        p * UPSCALED_CHANNELS * LOW_RES_PIXELS,
      );
    }
  }
  return { lowResMasks, iouPredictions };
}
