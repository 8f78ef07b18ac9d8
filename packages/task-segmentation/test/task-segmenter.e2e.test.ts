import { join } from 'node:path';
import { loadImageRgb, rleIou } from '@tasam/coco-data';
import { Hypernetwork, Rng, resolveConfig, TaskLoraGenerator, useBackend } from '@tasam/hypernet';
import { HEAD_TARGETS } from '@tasam/lora';
import { type AutomaticInstance, SamRuntime, type Tensor32 } from '@tasam/sam-runtime';
import { createTextEncoder, type TextEncoder } from '@tasam/text-encoder';
import { isZeroLora, TaskSegmenter } from '../src/task-segmenter/task-segmenter';
import { randomScorer } from './helpers';

// Real SAM, real USE-lite text encoder, a real (small) hypernetwork: untrained (B = 0) and with random B.
const examples = join(__dirname, '..', '..', '..', 'examples');
jest.setTimeout(300_000);

let runtime: SamRuntime;
let encoder: TextEncoder;
let embedding: Tensor32;
let size: { width: number; height: number };

function network(encoderId: string, dim: number, randomB: boolean): Hypernetwork {
  const config = resolveConfig({
    textEncoderId: encoderId,
    textDim: dim,
    targets: [...HEAD_TARGETS],
    dModel: 32,
    layers: 1,
    heads: 4,
    mlpDim: 32,
  });
  const net = Hypernetwork.initialise(config, 7);
  if (!randomB) return net;
  const arrays = net.toArrays();
  const rng = new Rng(11);
  for (const [name, values] of arrays)
    if (name.startsWith('head_b.')) for (let i = 0; i < values.length; i++) values[i] = rng.normal() * 0.05;
  net.dispose();
  return Hypernetwork.fromArrays(config, arrays);
}

function summary(list: AutomaticInstance[]) {
  return list.map((i) => ({ bbox: i.bbox, area: i.area, score: i.predictedIou, point: i.point }));
}

beforeAll(async () => {
  await useBackend('wasm');
  runtime = await SamRuntime.create();
  encoder = await createTextEncoder({ backend: 'use-lite' });
  const image = await loadImageRgb(join(examples, 'suitcases.jpg'));
  size = { width: image.width, height: image.height };
  embedding = await runtime.embed(image);
});

afterAll(async () => {
  await runtime?.dispose();
  await encoder?.dispose();
});

const grid = { pointsPerSide: 4, pointsPerBatch: 8 };

describe('TaskSegmenter with an untrained hypernetwork (every B = 0)', () => {
  it('gives exactly plain SAM, automatic and prompted, and shares plain SAM heads', async () => {
    const generator = TaskLoraGenerator.fromNetwork(network(encoder.id, encoder.dim, false), encoder);
    const segmenter = new TaskSegmenter(runtime, generator);
    const lora = await segmenter.lora('highlight every suitcase');
    expect(isZeroLora(lora)).toBe(true);

    const result = await segmenter.automatic(
      embedding,
      size,
      ['highlight every suitcase', 'segment the cat'],
      {
        ...grid,
        baseline: true,
        scoreThreshold: 0.8,
        baselineThreshold: 0.8,
      },
    );
    expect(result.headsEvaluated).toBe(1);
    expect(result.trunkPrompts).toBe(16);
    expect(result.baseline!.length).toBeGreaterThan(0);
    expect(summary(result.tasks[0].instances)).toEqual(summary(result.baseline!));
    expect(summary(result.tasks[1].instances)).toEqual(summary(result.baseline!));
    // The same as sam-runtime's own automatic mode with plain heads.
    const plain = await runtime.everything(embedding, size, {
      ...grid,
      predIouThresh: 0.8,
      stabilityScoreThresh: 0.9,
    });
    expect(summary(result.baseline!)).toEqual(summary(plain));

    const prompt = { points: [{ x: 220, y: 300, label: 1 as const }] };
    const [tasam] = await segmenter.prompted(embedding, size, prompt, 'highlight every suitcase');
    const [sam] = await runtime.segment(embedding, size, prompt);
    expect(tasam.score).toBe(sam.score);
    expect(rleIou([tasam.rle], [sam.rle], [0])[0]).toBe(1);
    generator.dispose();
  });
});

describe('TaskSegmenter with a non-zero LoRA', () => {
  it('scores every task over ONE shared trunk pass, equal to a separate automatic run per task', async () => {
    const generator = TaskLoraGenerator.fromNetwork(network(encoder.id, encoder.dim, true), encoder);
    const segmenter = new TaskSegmenter(runtime, generator);
    const tasks = ['highlight every suitcase', 'segment all cats'];
    const loras = await Promise.all(tasks.map((t) => segmenter.lora(t)));
    expect(isZeroLora(loras[0])).toBe(false);

    let trunkCalls = 0;
    const trunk = runtime.trunk.bind(runtime);
    const spy = jest.spyOn(runtime, 'trunk').mockImplementation((...args) => {
      trunkCalls += 1;
      return trunk(...args);
    });
    const options = { ...grid, scoreThreshold: 0.6, baselineThreshold: 0.6 };
    const result = await segmenter.automatic(embedding, size, tasks, { ...options, baseline: true });
    spy.mockRestore();
    // 16 grid points in batches of 8: two trunk calls for plain SAM and both tasks together.
    expect(trunkCalls).toBe(2);
    expect(result.headsEvaluated).toBe(3);

    for (const [t, lora] of loras.entries()) {
      const alone = await runtime.everything(embedding, size, {
        ...grid,
        lora,
        predIouThresh: 0.6,
        stabilityScoreThresh: 0.9,
      });
      expect(summary(result.tasks[t].instances)).toEqual(summary(alone));
    }
    // The LoRA changes the scores: the task's instances are not plain SAM's.
    expect(summary(result.tasks[0].instances)).not.toEqual(summary(result.baseline!));
    // Without the baseline, plain SAM's candidates are skipped; the tasks' instances are the same.
    const withoutBaseline = await segmenter.automatic(embedding, size, tasks, options);
    expect(withoutBaseline.baseline).toBeUndefined();
    for (const t of tasks.keys())
      expect(summary(withoutBaseline.tasks[t].instances)).toEqual(summary(result.tasks[t].instances));

    // Prompted mode applies the task's LoRA.
    const prompt = { points: [{ x: 220, y: 300, label: 1 as const }] };
    const [tasam] = await segmenter.prompted(embedding, size, prompt, tasks[0]);
    const [adapted] = await runtime.segment(embedding, size, prompt, { lora: loras[0] });
    const [sam] = await runtime.segment(embedding, size, prompt);
    expect(tasam.score).toBe(adapted.score);
    expect(tasam.score).not.toBe(sam.score);
    generator.dispose();
  });

  it('rejects a non-finite threshold', async () => {
    const generator = TaskLoraGenerator.fromNetwork(network(encoder.id, encoder.dim, false), encoder);
    const segmenter = new TaskSegmenter(runtime, generator);
    await expect(
      segmenter.automatic(embedding, size, ['x'], { scoreThreshold: Number.NaN }),
    ).rejects.toMatchObject({ code: 'HYPERNET_CONFIG' });
    generator.dispose();
  });
});

describe('TaskSegmenter with a task scorer', () => {
  it("ranks plain SAM's candidates by P(task) x predicted IoU, without generating a LoRA", async () => {
    const scorer = randomScorer(3);
    const generator = TaskLoraGenerator.fromNetwork(
      network(encoder.id, encoder.dim, true),
      encoder,
      'mem',
      scorer,
    );
    const generate = jest.spyOn(generator, 'generate');
    const segmenter = new TaskSegmenter(runtime, generator);
    const tasks = ['highlight every suitcase', 'segment all cats'];
    const options = { ...grid, iouThreshold: 0.8, boxNmsThresh: 1 };
    const result = await segmenter.automatic(embedding, size, tasks, { ...options, scoreThreshold: 0 });
    expect(generate).not.toHaveBeenCalled();
    expect(result.scored).toBe(true);
    expect(result.headsEvaluated).toBe(1);

    // With NMS off, each task keeps every plain candidate, scored by the scorer.
    const plain = await runtime.everything(embedding, size, {
      ...grid,
      predIouThresh: 0.8,
      stabilityScoreThresh: 0.9,
      boxNmsThresh: 1,
    });
    expect(plain.length).toBeGreaterThan(1);
    for (const [t, task] of tasks.entries()) {
      const found = result.tasks[t].instances;
      expect(found).toHaveLength(plain.length);
      const taskVector = scorer.taskVector(await generator.taskEmbedding(task));
      for (const instance of found) {
        const same = plain.find((p) => rleIou([p.rle], [instance.rle], [0])[0] === 1);
        expect(same?.predictedIou).toBe(instance.predictedIou);
        const probability = scorer.scoreMask(embedding, instance.rle, taskVector);
        expect(instance.taskProbability).toBeCloseTo(probability, 6);
        expect(instance.score).toBeCloseTo(probability * instance.predictedIou, 6);
      }
      const scores = found.map((i) => i.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    // Different task texts give different scores to the same masks.
    expect(result.tasks[0].instances.map((i) => i.score)).not.toEqual(
      result.tasks[1].instances.map((i) => i.score),
    );

    // The threshold keeps exactly the instances scored above it.
    const scores = result.tasks[0].instances.map((i) => i.score);
    const threshold = scores[Math.floor(scores.length / 2)];
    const strict = await segmenter.automatic(embedding, size, [tasks[0]], {
      ...options,
      scoreThreshold: threshold,
    });
    expect(strict.tasks[0].instances.map((i) => i.score)).toEqual(scores.filter((s) => s > threshold));
    generator.dispose();
  });

  it('with guidedPoints, prompts only the grid points the scorer rates likeliest for each task', async () => {
    const scorer = randomScorer(3);
    const generator = TaskLoraGenerator.fromNetwork(
      network(encoder.id, encoder.dim, false),
      encoder,
      'mem',
      scorer,
    );
    const segmenter = new TaskSegmenter(runtime, generator);
    const prompted: number[] = [];
    const trunk = runtime.trunk.bind(runtime);
    const spy = jest.spyOn(runtime, 'trunk').mockImplementation((embedding_, prompts, size_) => {
      prompted.push(...prompts.map((p) => (p.points as { x: number }[])[0].x));
      return trunk(embedding_, prompts, size_);
    });
    const one = await segmenter.automatic(embedding, size, ['segment all cats'], {
      ...grid,
      guidedPoints: 3,
    });
    expect(one.trunkPrompts).toBe(3);
    expect(prompted).toHaveLength(3);
    // The union over tasks: at least as many points, never more than the grid.
    const two = await segmenter.automatic(embedding, size, ['segment all cats', 'highlight every suitcase'], {
      ...grid,
      guidedPoints: 3,
    });
    spy.mockRestore();
    expect(two.trunkPrompts).toBeGreaterThanOrEqual(3);
    expect(two.trunkPrompts).toBeLessThanOrEqual(6);
    await expect(segmenter.automatic(embedding, size, ['x'], { guidedPoints: 1.5 })).rejects.toMatchObject({
      code: 'HYPERNET_CONFIG',
    });
    generator.dispose();
  });
});

describe('isZeroLora', () => {
  it('is true for zero B or zero scaling only', () => {
    const layer = (b: number) => ({
      a: new Float32Array(4).fill(1),
      b: new Float32Array(4).fill(b),
      rank: 1,
    });
    expect(isZeroLora({ scaling: 1, layers: new Map([['l', layer(0)]]) })).toBe(true);
    expect(isZeroLora({ scaling: 0, layers: new Map([['l', layer(1)]]) })).toBe(true);
    expect(isZeroLora({ scaling: 1, layers: new Map([['l', layer(1e-9)]]) })).toBe(false);
  });
});
