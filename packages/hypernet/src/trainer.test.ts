import { randomArray, randomHeadWeights, randomTrunk, smallConfig } from '../test/helpers';
import { AdamW } from './adamw';
import { TrainingDataError } from './errors';
import { Hypernetwork } from './hypernetwork';
import { useBackend } from './tf';
import { TfHeads } from './tf-heads';
import { DEFAULT_TRAIN_OPTIONS, type TrainingBatch, type TrainingData, trainStep } from './trainer';

beforeAll(async () => {
  await useBackend('wasm');
});

const data: TrainingData = {
  taskVectors: [randomArray(16, 1), randomArray(16, 2)],
  batchesPerEpoch: () => 1,
  batches: async function* () {},
};

function target(seed: number): Uint8Array {
  const r = randomArray(256 * 256, seed);
  return Uint8Array.from(r, (v) => (v > 0.5 ? 1 : 0));
}

function step(batch: TrainingBatch, options = DEFAULT_TRAIN_OPTIONS) {
  const net = Hypernetwork.initialise(smallConfig(), 3);
  const heads = new TfHeads(randomHeadWeights(2));
  const optimizer = new AdamW(net.params);
  try {
    const record = trainStep(net, heads, optimizer, data, batch, { step: 5, totalSteps: 10, options });
    return { record, weights: net.toArrays() };
  } finally {
    optimizer.dispose();
    heads.dispose();
    net.dispose();
  }
}

describe('trainStep', () => {
  const one = randomTrunk(1, 7);
  const samples = [
    { taskIndex: 0, multimask: true, negative: false, target: target(4) },
    { taskIndex: 1, multimask: true, negative: true, target: new Uint8Array(256 * 256) },
  ];

  it('gives samples that share a prompt its trunk outputs: the same step as a batch with them copied', () => {
    const shared = step({ trunk: one, samples: samples.map((s) => ({ ...s, prompt: 0 })) });
    const copied = step({
      trunk: {
        n: 2,
        iouToken: Float32Array.from([...one.iouToken, ...one.iouToken]),
        maskTokens: Float32Array.from([...one.maskTokens, ...one.maskTokens]),
        upscaled: Float32Array.from([...one.upscaled, ...one.upscaled]),
      },
      samples: samples.map((s, i) => ({ ...s, prompt: i })),
    });
    expect(shared.record.samples).toBe(2);
    expect(shared.record.loss).toBeCloseTo(copied.record.loss, 5);
    expect(shared.record.gradNorm).toBeCloseTo(copied.record.gradNorm, 3);
  });

  it('moves the A/B heads by headLrScale times the learning rate', () => {
    const batch = { trunk: one, samples: samples.map((s) => ({ ...s, prompt: 0 })) };
    const init = Hypernetwork.initialise(smallConfig(), 3);
    const before = init.toArrays();
    init.dispose();
    const moved = (headLrScale: number) => {
      const after = step(batch, { ...DEFAULT_TRAIN_OPTIONS, headLrScale }).weights;
      let delta = 0;
      const a = after.get('head_a.256.weight') as Float32Array;
      const b = before.get('head_a.256.weight') as Float32Array;
      for (let i = 0; i < a.length; i++) delta = Math.max(delta, Math.abs(a[i] - b[i]));
      return delta;
    };
    expect(moved(0.1) / moved(1)).toBeCloseTo(0.1, 2);
  });

  it('rejects a sample whose prompt index the trunk did not run', () => {
    expect(() => step({ trunk: one, samples: [{ ...samples[0], prompt: 1 }] })).toThrow(TrainingDataError);
  });
});
