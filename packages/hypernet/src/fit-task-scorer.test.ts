import { fitTaskScorer, type ScorerExample } from './fit-task-scorer';
import { Rng } from './rng';
import type { TaskScorerConfig } from './task-mask-scorer';
import { useBackend } from './tf';

const config: TaskScorerConfig = { featureDim: 16, hidden: 32, jointDim: 8, textDim: 12 };

/** Categories as clusters in feature space, each named by two noisy "phrasings" in text space. */
function synthetic(seed: number, perCategory: number) {
  const rng = new Rng(seed);
  const centre = (dim: number, c: number) =>
    Float32Array.from({ length: dim }, (_, i) => (i % 4 === c ? 3 : 0));
  const examples: ScorerExample[] = [];
  for (let c = 0; c < 4; c++)
    for (let n = 0; n < perCategory; n++)
      examples.push({ features: centre(16, c).map((v) => v + rng.normal() * 0.5), category: c });
  for (let n = 0; n < perCategory; n++)
    examples.push({
      features: Float32Array.from({ length: 16 }, () => rng.normal() * 0.5 - 2),
      category: -1,
    });
  const phrasings = [0, 1, 2, 3].map((c) =>
    [0, 1].map(() => centre(12, c).map((v) => v + rng.normal() * 0.2)),
  );
  return { examples, phrasings };
}

describe('fitTaskScorer', () => {
  beforeAll(() => useBackend('wasm'));

  it('learns which masks each category names, on held-out masks and phrasings', () => {
    const train = synthetic(1, 30);
    const scorer = fitTaskScorer(train.examples, train.phrasings, { config, iterations: 150, seed: 2 });
    const test = synthetic(9, 10);
    let right = 0;
    let objects = 0;
    let background = 0;
    for (const e of test.examples) {
      const m = scorer.maskVector(e.features);
      const p = test.phrasings.map((ph) => scorer.probability(m, scorer.taskVector(ph[0])));
      if (e.category < 0) {
        background = Math.max(background, ...p);
        continue;
      }
      objects++;
      if (p.indexOf(Math.max(...p)) === e.category && p[e.category] > 0.5) right++;
    }
    expect(right / objects).toBeGreaterThan(0.9);
    expect(background).toBeLessThan(0.5);
  });

  it('is reproducible from its seed', () => {
    const { examples, phrasings } = synthetic(1, 5);
    const a = fitTaskScorer(examples, phrasings, { config, iterations: 5, seed: 4 }).toArrays();
    const b = fitTaskScorer(examples, phrasings, { config, iterations: 5, seed: 4 }).toArrays();
    expect(a.get('mask.0.weight')).toEqual(b.get('mask.0.weight'));
  });

  it('rejects empty input, a bad category index and features of the wrong size', () => {
    const { examples, phrasings } = synthetic(1, 2);
    expect(() => fitTaskScorer([], phrasings, { config })).toThrow(/none given/);
    expect(() => fitTaskScorer([{ ...examples[0], category: 4 }], phrasings, { config })).toThrow(
      /category index 4 is outside -1..3/,
    );
    expect(() =>
      fitTaskScorer([{ features: new Float32Array(3), category: 0 }], phrasings, { config }),
    ).toThrow(/features have 3 values, expected 16/);
    expect(() => fitTaskScorer(examples, [[]], { config })).toThrow(/at least one phrasing/);
  });
});
