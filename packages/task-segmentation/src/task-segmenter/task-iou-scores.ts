import { HypernetConfigError } from '@tasam/hypernet';
import type { HeadLora, HeadWeights, TrunkOutput } from '@tasam/sam-runtime';

const TOKEN = 256;
const MASKS = 4;
const IOU_HEAD = 'iou_prediction_head.layers';

type Adapter = { a: Float32Array; b: Float32Array; rank: number };

function layer(weights: HeadWeights, l: number) {
  const found = weights.layers.get(`${IOU_HEAD}.${l}`);
  if (!found) throw new HypernetConfigError('head weights', `missing layer ${IOU_HEAD}.${l}`);
  return found;
}

/** y = W x + b, in the same arithmetic as sam-runtime's heads (double sums, float32 stores). */
function baseLinear(weights: HeadWeights, l: number, x: Float32Array, y: Float32Array): void {
  const { weight, bias, inFeatures: n, outFeatures: m } = layer(weights, l);
  for (let o = 0; o < m; o++) {
    let sum = 0;
    const row = o * n;
    for (let i = 0; i < n; i++) sum += weight[row + i] * x[i];
    y[o] = sum + bias[o];
  }
}

/** y += scaling * B (A x), as sam-runtime's heads add a LoRA. */
function addLora(adapter: Adapter | undefined, scaling: number, x: Float32Array, y: Float32Array): void {
  if (!adapter || scaling === 0) return;
  const { a, b, rank } = adapter;
  const n = x.length;
  const ax = new Float64Array(rank);
  for (let r = 0; r < rank; r++) {
    let sum = 0;
    const row = r * n;
    for (let i = 0; i < n; i++) sum += a[row + i] * x[i];
    ax[r] = sum;
  }
  for (let o = 0; o < y.length; o++) {
    let sum = 0;
    const row = o * rank;
    for (let r = 0; r < rank; r++) sum += b[row + r] * ax[r];
    y[o] += scaling * sum;
  }
}

const relu = (y: Float32Array) => {
  for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
};

/**
 * Scores a trunk batch for many tasks with the IoU head alone: the first layer's W x + b does not depend on
 * the task, so it is computed once per prompt (`IouHeadBase`) and each task adds its LoRA term and runs the
 * two remaining layers: about a tenth of the full heads per task. Gives the IoU predictions sam-runtime's
 * `predictHeads` gives with the same LoRA, bit for bit; the mask MLPs then run only for prompts that pass.
 */
export class IouHeadBase {
  /** W0 x + b0 per prompt, [n,256]. */
  private readonly first: Float32Array;

  constructor(
    readonly trunk: TrunkOutput,
    private readonly weights: HeadWeights,
  ) {
    this.first = new Float32Array(trunk.n * TOKEN);
    for (let p = 0; p < trunk.n; p++)
      baseLinear(
        weights,
        0,
        trunk.iouToken.subarray(p * TOKEN, (p + 1) * TOKEN),
        this.first.subarray(p * TOKEN, (p + 1) * TOKEN),
      );
  }

  /** Predicted IoU of the 4 masks of every prompt under `lora`, [n,4]. */
  scores(lora: HeadLora): Float32Array {
    const { n } = this.trunk;
    const out = new Float32Array(n * MASKS);
    const h0 = new Float32Array(TOKEN);
    const h1 = new Float32Array(layer(this.weights, 1).outFeatures);
    const adapters = [0, 1, 2].map((l) => lora.layers.get(`${IOU_HEAD}.${l}`));
    for (let p = 0; p < n; p++) {
      const x = this.trunk.iouToken.subarray(p * TOKEN, (p + 1) * TOKEN);
      h0.set(this.first.subarray(p * TOKEN, (p + 1) * TOKEN));
      addLora(adapters[0], lora.scaling, x, h0);
      relu(h0);
      baseLinear(this.weights, 1, h0, h1);
      addLora(adapters[1], lora.scaling, h0, h1);
      relu(h1);
      const y = out.subarray(p * MASKS, (p + 1) * MASKS);
      baseLinear(this.weights, 2, h1, y);
      addLora(adapters[2], lora.scaling, h1, y);
    }
    return out;
  }
}
