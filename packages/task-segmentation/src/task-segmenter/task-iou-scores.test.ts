import { HEAD_TARGETS } from '@tasam/lora';
import { predictHeads } from '@tasam/sam-runtime';
import { randomArray, randomHeadWeights, randomTrunk } from '../../test/helpers';
import { IouHeadBase } from './task-iou-scores';

function randomLora(seed: number, scaling = 8) {
  const layers = new Map(
    HEAD_TARGETS.map((t, i) => [
      t.path,
      {
        a: randomArray(4 * t.inFeatures, seed + i, 0.1),
        b: randomArray(t.outFeatures * 4, seed + 100 + i, 0.1),
        rank: 4,
      },
    ]),
  );
  return { scaling, layers };
}

describe('IouHeadBase', () => {
  it("gives predictHeads' IoU predictions bit for bit, for several LoRAs over one base", () => {
    const trunk = randomTrunk(3, 5);
    const weights = randomHeadWeights(2);
    const base = new IouHeadBase(trunk, weights);
    for (const seed of [1, 2]) {
      const lora = randomLora(seed * 1000);
      const expected = predictHeads(trunk, weights, lora).iouPredictions;
      const scores = base.scores(lora);
      expect(Array.from(scores)).toEqual(Array.from(expected));
      // The LoRA matters: plain heads score differently.
      expect(Array.from(scores)).not.toEqual(Array.from(predictHeads(trunk, weights).iouPredictions));
    }
  });
});
