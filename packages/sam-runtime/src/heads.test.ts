import { TasamError } from '@tasam/errors';
import {
  HEAD_LAYER_NAMES,
  type HeadLora,
  type HeadWeights,
  maskLogits,
  predictHeads,
  runHeads,
} from './heads';
import type { TrunkOutput } from './trunk-output';

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

const random = seededRandom(7);
const fill = (length: number, scale = 1) => Float32Array.from({ length }, () => random() * scale);

function shapeOf(name: string): [number, number] {
  const layer = Number(name.at(-1));
  if (name.startsWith('iou')) return [layer === 2 ? 4 : 256, 256];
  return [layer === 2 ? 32 : 256, 256];
}

const weights: HeadWeights = {
  layers: new Map(
    HEAD_LAYER_NAMES.map((name) => {
      const [out, inp] = shapeOf(name);
      return [
        name,
        { weight: fill(out * inp, 0.15), bias: fill(out, 0.1), inFeatures: inp, outFeatures: out },
      ];
    }),
  ),
};

const n = 2;
const trunk: TrunkOutput = {
  n,
  iouToken: fill(n * 256),
  maskTokens: fill(n * 4 * 256),
  upscaled: fill(n * 32 * 65536),
};

/** Float64 reference of SAM's heads with the LoRA merged into the weights: W' = W + scaling * B A. */
function referenceHeads(lora?: HeadLora) {
  const merged = (name: string) => {
    const { weight, bias, inFeatures, outFeatures } = weights.layers.get(name)!;
    const w = Float64Array.from(weight);
    const adapter = lora?.layers.get(name);
    if (adapter) {
      for (let o = 0; o < outFeatures; o++)
        for (let i = 0; i < inFeatures; i++) {
          let sum = 0;
          for (let r = 0; r < adapter.rank; r++)
            sum += adapter.b[o * adapter.rank + r] * adapter.a[r * inFeatures + i];
          w[o * inFeatures + i] += lora!.scaling * sum;
        }
    }
    return { w, bias, inFeatures, outFeatures };
  };
  const mlp = (prefix: string, x: ArrayLike<number>) => {
    let h = Array.from(x);
    for (let l = 0; l < 3; l++) {
      const { w, bias, inFeatures, outFeatures } = merged(`${prefix}.layers.${l}`);
      const y = new Array(outFeatures).fill(0).map((_, o) => {
        let s = bias[o];
        for (let i = 0; i < inFeatures; i++) s += w[o * inFeatures + i] * h[i];
        return s;
      });
      h = l < 2 ? y.map((v) => Math.max(v, 0)) : y;
    }
    return h;
  };
  const masks = new Float64Array(n * 4 * 65536);
  const iou = new Float64Array(n * 4);
  for (let p = 0; p < n; p++) {
    iou.set(mlp('iou_prediction_head', trunk.iouToken.subarray(p * 256, (p + 1) * 256)), p * 4);
    for (let m = 0; m < 4; m++) {
      const hyper = mlp(
        `output_hypernetworks_mlps.${m}`,
        trunk.maskTokens.subarray((p * 4 + m) * 256, (p * 4 + m + 1) * 256),
      );
      for (let c = 0; c < 32; c++)
        for (let i = 0; i < 65536; i++)
          masks[(p * 4 + m) * 65536 + i] += hyper[c] * trunk.upscaled[(p * 32 + c) * 65536 + i];
    }
  }
  return { masks, iou };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Index of the first element that differs (-1 when identical): jest's toEqual is slow on large arrays. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function loraFor(names: readonly string[], rank: number, scaling: number): HeadLora {
  return {
    scaling,
    layers: new Map(
      names.map((name) => {
        const [out, inp] = shapeOf(name);
        return [name, { a: fill(rank * inp, 0.2), b: fill(out * rank, 0.2), rank }];
      }),
    ),
  };
}

describe('runHeads', () => {
  it('computes SAM heads: hypernetwork MLPs, IoU MLP, mask product', () => {
    const ours = runHeads(trunk, weights);
    const reference = referenceHeads();
    expect(ours.lowResMasks.length).toBe(n * 4 * 65536);
    expect(maxAbsDiff(ours.iouPredictions, reference.iou)).toBeLessThan(1e-5);
    expect(maxAbsDiff(ours.lowResMasks, reference.masks)).toBeLessThan(1e-4);
  });

  it('applies a PEFT-layout LoRA as W + scaling * B A on every head layer', () => {
    const lora = loraFor(HEAD_LAYER_NAMES, 4, 0.5);
    const ours = runHeads(trunk, weights, lora);
    const reference = referenceHeads(lora);
    expect(maxAbsDiff(ours.iouPredictions, reference.iou)).toBeLessThan(1e-5);
    expect(maxAbsDiff(ours.lowResMasks, reference.masks)).toBeLessThan(1e-4);
    // and the LoRA matters
    expect(maxAbsDiff(ours.iouPredictions, runHeads(trunk, weights).iouPredictions)).toBeGreaterThan(1e-3);
  });

  it('treats a zero LoRA (B = 0) as no LoRA, exactly', () => {
    const lora = loraFor(['iou_prediction_head.layers.1', 'output_hypernetworks_mlps.2.layers.0'], 2, 2);
    for (const adapter of lora.layers.values()) adapter.b.fill(0);
    const plain = runHeads(trunk, weights);
    const zero = runHeads(trunk, weights, lora);
    expect(firstDifference(zero.iouPredictions, plain.iouPredictions)).toBe(-1);
    expect(firstDifference(zero.lowResMasks, plain.lowResMasks)).toBe(-1);
  });

  it('maskLogits computes one mask of the product', () => {
    const { maskWeights } = predictHeads(trunk, weights);
    const all = runHeads(trunk, weights).lowResMasks;
    const one = maskLogits(trunk, maskWeights, 1, 2);
    expect(maxAbsDiff(one, all.subarray((1 * 4 + 2) * 65536, (1 * 4 + 3) * 65536))).toBeLessThan(1e-5);
  });

  it('runs only the asked mask tokens: theirs are exact, the others zero, the IoUs all there', () => {
    const lora = loraFor(HEAD_LAYER_NAMES, 4, 0.5);
    const all = predictHeads(trunk, weights, lora);
    const first = predictHeads(trunk, weights, lora, [0]);
    const none = predictHeads(trunk, weights, lora, []);
    expect(firstDifference(first.iouPredictions, all.iouPredictions)).toBe(-1);
    expect(firstDifference(none.iouPredictions, all.iouPredictions)).toBe(-1);
    for (let p = 0; p < n; p++) {
      const at = (m: number) => [(p * 4 + m) * 32, (p * 4 + m + 1) * 32] as const;
      expect(firstDifference(first.maskWeights.subarray(...at(0)), all.maskWeights.subarray(...at(0)))).toBe(
        -1,
      );
      expect(first.maskWeights.subarray(at(1)[0], at(3)[1]).every((v) => v === 0)).toBe(true);
      expect(all.maskWeights.subarray(at(1)[0], at(3)[1]).some((v) => v !== 0)).toBe(true);
    }
    expect(none.maskWeights.every((v) => v === 0)).toBe(true);
    expect(() => predictHeads(trunk, weights, undefined, [4])).toThrow(/mask token 4 is not one of 0-3/);
  });

  it('rejects LoRA layers that are not heads or have the wrong shape', () => {
    const expectCode = (lora: HeadLora, message: RegExp) => {
      let caught: unknown;
      try {
        predictHeads(trunk, weights, lora);
      } catch (error) {
        caught = error;
      }
      expect(TasamError.hasCode(caught, 'INVALID_TENSOR')).toBe(true);
      expect((caught as Error).message).toMatch(message);
    };
    expectCode(
      {
        scaling: 1,
        layers: new Map([['transformer.layers.0.self_attn.q_proj', { a: fill(256), b: fill(256), rank: 1 }]]),
      },
      /not a head layer/,
    );
    expectCode(
      {
        scaling: 1,
        layers: new Map([['iou_prediction_head.layers.2', { a: fill(256), b: fill(5), rank: 1 }]]),
      },
      /expected A \[1,256\] and B \[4,1\]/,
    );
  });

  it('rejects a trunk output whose arrays do not match n', () => {
    expect(() => runHeads({ ...trunk, n: 3 }, weights)).toThrow(/n=3/);
  });
});
