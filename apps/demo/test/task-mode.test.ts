import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMask, decompressRle, mergeRles, rleFromPolygon } from '@tasam/coco-data';
import { TasamError } from '@tasam/errors';
import { Hypernetwork, resolveConfig, saveHypernet, useBackend } from '@tasam/hypernet';
import { headWeightsFromModel, locateSamModels } from '@tasam/sam-runtime';
import { createTextEncoder } from '@tasam/text-encoder';
import type { FastifyInstance } from 'fastify';
import type { HealthResponse, SegmentResponse, UploadResponse } from '../src/api-types';
import { loadTaskLoras } from '../src/hypernet-task-loras';
import { SamEngine } from '../src/sam-engine';
import { type GroundingSetup, loadGrounding } from '../src/task-grounding';
import { WorkerSamEngine } from '../src/worker-sam-engine';
import { FIXTURES, serveForTest } from './serve-for-test';

// Task mode end to end with real hypernetwork checkpoints built here (small, untrained): the task text goes
// through USE-lite and the hypernetwork into the heads. An untrained network's B is zero, so tasam must equal
// plain SAM exactly; with non-zero B the task-adapted heads must score differently from the same trunk run.
jest.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), 'tasam-demo-task-'));
const zeroCheckpoint = join(dir, 'zero-b.safetensors');
const taskCheckpoint = join(dir, 'random-b.safetensors');
const cats = readFileSync(join(FIXTURES, 'cats.jpg'));
const catAnnotations = JSON.parse(readFileSync(join(FIXTURES, 'cats-annotations.json'), 'utf8')) as {
  image: { width: number; height: number };
  annotations: { segmentation: number[][] }[];
};
const { width: W, height: H } = catAnnotations.image;
const bothCats = decodeMask(
  mergeRles(catAnnotations.annotations.flatMap((a) => a.segmentation.map((p) => rleFromPolygon(p, H, W)))),
);

beforeAll(async () => {
  await useBackend();
  const encoder = await createTextEncoder();
  const heads = headWeightsFromModel(readFileSync(locateSamModels().decoder));
  const targets = [...heads.layers].map(([path, layer]) => ({
    path,
    inFeatures: layer.inFeatures,
    outFeatures: layer.outFeatures,
  }));
  const config = resolveConfig({
    textEncoderId: encoder.id,
    textDim: encoder.dim,
    targets,
    dModel: 32,
    layers: 1,
    heads: 2,
    mlpDim: 32,
  });
  const untrained = Hypernetwork.initialise(config, 7);
  await saveHypernet(zeroCheckpoint, untrained);
  const arrays = untrained.toArrays();
  let state = 99;
  for (const [name, values] of arrays) {
    if (!name.startsWith('head_b.')) continue;
    for (let i = 0; i < values.length; i++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      values[i] = (state / 2 ** 32 - 0.5) * 0.1;
    }
  }
  await saveHypernet(taskCheckpoint, Hypernetwork.fromArrays(config, arrays));
  await encoder.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A server with task mode on `checkpoint`. `grounding`: load the detector and the grounder on the LoRAs' own
 * text encoder (`detectorModelDir` to point it elsewhere), optionally wrapping what was loaded.
 */
async function serveWithCheckpoint(
  checkpoint: string,
  options: {
    grounding?: boolean;
    detectorModelDir?: string;
    wrap?: (setup: GroundingSetup) => GroundingSetup;
  } = {},
): Promise<{ app: FastifyInstance; base: string }> {
  const tasks = await loadTaskLoras({ checkpoint });
  expect(tasks.id).toMatch(/^hypernet [0-9a-f]{16} \+ /);
  let grounding: GroundingSetup | undefined;
  if (options.grounding) {
    grounding = await loadGrounding({
      encoder: tasks.encoder!,
      ...(options.detectorModelDir ? { detectorModelDir: options.detectorModelDir } : {}),
    });
    if (options.wrap) grounding = options.wrap(grounding);
  }
  const engine = await SamEngine.create({
    taskLoras: tasks.generator,
    grounding,
    automatic: { pointsPerSide: 3, pointsPerBatch: 3 },
  });
  return serveForTest({ engine });
}

async function uploadCats(base: string): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(cats)], { type: 'image/jpeg' }), 'cats.jpg');
  const response = await fetch(`${base}/api/images`, { method: 'POST', body: form });
  return ((await response.json()) as UploadResponse).imageId;
}

async function segment(base: string, body: object): Promise<SegmentResponse> {
  const response = await fetch(`${base}/api/segment`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as SegmentResponse;
}

describe('task mode', () => {
  it('turns off without a checkpoint, with a reason that does not reveal server paths', async () => {
    const setup = await loadTaskLoras({ checkpoint: join(dir, 'missing.safetensors') });
    expect(setup.generator).toBeUndefined();
    expect(setup.unavailableReason).toMatch(/no hypernet checkpoint was found/);
    expect(setup.unavailableReason).not.toContain(dir);
  });

  it('refuses a checkpoint that is not one, at start-up', async () => {
    const broken = join(dir, 'broken.safetensors');
    writeFileSync(broken, 'not a safetensors file');
    const failure = await loadTaskLoras({ checkpoint: broken }).catch((error: unknown) => error);
    expect(TasamError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain(broken);
  });

  it('with an untrained hypernetwork (B = 0), tasam scores exactly as plain SAM', async () => {
    const { app, base } = await serveWithCheckpoint(zeroCheckpoint);
    try {
      const health = (await (await fetch(`${base}/api/health`)).json()) as HealthResponse;
      expect(health.taskMode).toEqual({
        available: true,
        grounding: { available: false, reason: 'no COCO detector is loaded' },
      });
      const imageId = await uploadCats(base);
      const prompt = await segment(base, {
        imageId,
        task: 'segment all cats',
        compare: true,
        points: [{ x: 150, y: 200, label: 1 }],
      });
      expect(prompt).toMatchObject({ task: 'segment all cats', path: 'prompt', grounding: null });
      expect(prompt.results.tasam!.instances).toEqual(prompt.results.sam!.instances);
      expect(prompt.results.sam!.instances).toHaveLength(1);

      const automatic = await segment(base, {
        imageId,
        mode: 'automatic',
        task: 'segment all cats',
        compare: true,
      });
      // Without a detector every task takes the scorer path, and nothing is grounded.
      expect(automatic).toMatchObject({ path: 'scorer', grounding: null });
      // A zero LoRA scores as plain SAM: the task keeps plain SAM's candidates above its own threshold (0.5),
      // plain SAM those above SAM's (0.88), so every plain SAM instance is a task instance too.
      const task = automatic.results.tasam!.instances;
      const plain = automatic.results.sam!.instances;
      expect(plain.length).toBeGreaterThan(0);
      expect(task.length).toBeGreaterThanOrEqual(plain.length);
      for (const instance of plain) expect(task).toContainEqual(instance);
      for (const instance of task) expect(instance.score).toBeGreaterThan(0.5);
    } finally {
      await app.close();
    }
  });

  it('with a non-zero LoRA, the task-adapted heads score the same trunk run differently', async () => {
    const { app, base } = await serveWithCheckpoint(taskCheckpoint);
    try {
      const imageId = await uploadCats(base);
      const body = { imageId, task: 'segment all cats', points: [{ x: 150, y: 200, label: 1 }] };
      const withoutCompare = await segment(base, body);
      expect(withoutCompare.results.sam).toBeUndefined();
      const compared = await segment(base, { ...body, compare: true });
      expect(compared.results.tasam!.instances).toEqual(withoutCompare.results.tasam!.instances);
      expect(compared.results.tasam!.instances[0].score).not.toBe(compared.results.sam!.instances[0].score);
      const other = await segment(base, { ...body, task: 'highlight every shoe' });
      expect(other.results.tasam!.instances[0].score).not.toBe(compared.results.tasam!.instances[0].score);
    } finally {
      await app.close();
    }
  });
});

describe('grounded task mode', () => {
  let app: FastifyInstance;
  let base: string;
  const grounded: string[] = [];

  beforeAll(async () => {
    // The untrained checkpoint: its LoRA changes nothing, so the detector path's task masks must equal plain
    // SAM's on the same boxes. The grounder is wrapped to count the texts it grounds.
    ({ app, base } = await serveWithCheckpoint(zeroCheckpoint, {
      grounding: true,
      wrap: (setup) => ({
        ...setup,
        grounder: {
          groundMany: (tasks) => {
            grounded.push(...tasks);
            return setup.grounder!.groundMany(tasks);
          },
        },
      }),
    }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('reports the detector in /api/health', async () => {
    const health = (await (await fetch(`${base}/api/health`)).json()) as HealthResponse;
    expect(health.taskMode.available).toBe(true);
    expect(health.taskMode.grounding).toMatchObject({ available: true });
    expect(health.taskMode.grounding!.detector).toMatch(/centernet/i);
  });

  it('grounds "segment all cats" to cat and takes the cats from the detector boxes', async () => {
    const imageId = await uploadCats(base);
    const response = await segment(base, {
      imageId,
      mode: 'automatic',
      task: 'segment all cats',
      compare: true,
    });
    expect(response.path).toBe('detector');
    expect(response.grounding).toMatchObject({ grounded: true, colour: null });
    expect(response.grounding!.categories.map((c) => c.name)).toEqual(['cat']);
    expect(response.grounding!.categories[0].id).toBe(17);
    expect(response.timings.detectMs).toBeGreaterThanOrEqual(0);

    const task = response.results.tasam!.instances;
    expect(task.length).toBeGreaterThanOrEqual(2);
    for (const instance of task) {
      expect(instance.category).toBe('cat');
      expect(instance.detectorScore).toBeGreaterThan(0);
      // score = detector score x predicted IoU, above the grounded path's 0.15.
      expect(instance.score).toBeGreaterThan(0.15);
      expect(instance.score).toBeLessThanOrEqual(instance.detectorScore!);
      // The masks lie on the cats (COCO ground truth).
      const mask = decodeMask(decompressRle(instance.rle));
      let on = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i] && bothCats[i]) on++;
      expect(on / instance.area).toBeGreaterThan(0.6);
    }
    // compare: plain SAM's heads on the same boxes; a zero LoRA makes them the same masks.
    expect(response.results.sam!.instances).toEqual(task);
  });

  it('runs a task naming no COCO category on the task scorer path', async () => {
    const imageId = await uploadCats(base);
    const response = await segment(base, {
      imageId,
      mode: 'automatic',
      task: 'segment the sky',
      compare: true,
    });
    expect(response.path).toBe('scorer');
    expect(response.grounding).toEqual({ grounded: false, categories: [], colour: null });
    expect(response.timings.detectMs).toBeUndefined();
    expect(response.results.tasam).toBeDefined();
    for (const instance of response.results.tasam!.instances) expect(instance.category).toBeUndefined();
  });

  it('grounds each task text once, and prompts with a task stay on the prompt path', async () => {
    const imageId = await uploadCats(base);
    const before = grounded.length;
    const again = await segment(base, { imageId, mode: 'automatic', task: 'segment all cats' });
    expect(again.path).toBe('detector');
    expect(again.results.sam).toBeUndefined();
    expect(again.results.tasam!.instances.length).toBeGreaterThanOrEqual(2);
    expect(grounded.slice(before)).toEqual([]);
    expect(grounded.filter((task) => task === 'segment all cats')).toHaveLength(1);

    const prompt = await segment(base, {
      imageId,
      task: 'segment all cats',
      points: [{ x: 150, y: 200, label: 1 }],
    });
    expect(prompt).toMatchObject({ path: 'prompt', grounding: null });
    expect(prompt.results.tasam!.instances).toHaveLength(1);
  });
});

describe('grounded task mode through the model worker', () => {
  let engine: WorkerSamEngine;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    // What `tasam-demo` runs: the worker loads the checkpoint, its text encoder, the detector and SAM itself.
    engine = await WorkerSamEngine.start({
      checkpoint: zeroCheckpoint,
      automatic: { pointsPerSide: 3, pointsPerBatch: 3 },
    });
    ({ app, base } = await serveForTest({ engine }));
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  it("reports the worker's task mode and takes the cats from the detector boxes, the pixels kept here", async () => {
    expect(engine.notices).toEqual([
      expect.stringMatching(/^tasam demo: task mode on: hypernet [0-9a-f]{16} \+ /),
      expect.stringMatching(/^tasam demo: tasks naming COCO categories use the detector: /),
    ]);
    const health = (await (await fetch(`${base}/api/health`)).json()) as HealthResponse;
    expect(health.taskMode).toMatchObject({ available: true, grounding: { available: true } });
    expect(health.taskMode.grounding!.detector).toMatch(/centernet/i);
    const imageId = await uploadCats(base);
    const response = await segment(base, {
      imageId,
      mode: 'automatic',
      task: 'segment all cats',
      compare: true,
    });
    expect(response.path).toBe('detector');
    expect(response.grounding!.categories.map((c) => c.name)).toEqual(['cat']);
    const task = response.results.tasam!.instances;
    expect(task.length).toBeGreaterThanOrEqual(2);
    for (const instance of task) expect(instance.category).toBe('cat');
    expect(response.results.sam!.instances).toEqual(task);
    const prompt = await segment(base, {
      imageId,
      task: 'segment all cats',
      compare: true,
      points: [{ x: 150, y: 200, label: 1 }],
    });
    expect(prompt).toMatchObject({ path: 'prompt', grounding: null });
    expect(prompt.results.tasam!.instances).toEqual(prompt.results.sam!.instances);
  });
});

describe('grounded task mode without the detector', () => {
  it('says why in /api/health and runs every task on the task scorer path', async () => {
    const emptyModelDir = join(dir, 'no-detector-model');
    mkdirSync(emptyModelDir, { recursive: true });
    const { app, base } = await serveWithCheckpoint(zeroCheckpoint, {
      grounding: true,
      detectorModelDir: emptyModelDir,
    });
    try {
      const health = (await (await fetch(`${base}/api/health`)).json()) as HealthResponse;
      expect(health.taskMode.available).toBe(true);
      expect(health.taskMode.grounding!.available).toBe(false);
      expect(health.taskMode.grounding!.reason).toMatch(/the COCO detector did not load \(DETECTOR_/);
      // Server paths stay in the log.
      expect(health.taskMode.grounding!.reason).not.toContain(dir);
      const imageId = await uploadCats(base);
      const response = await segment(base, { imageId, mode: 'automatic', task: 'segment all cats' });
      expect(response).toMatchObject({ path: 'scorer', grounding: null });
      expect(response.results.tasam).toBeDefined();
    } finally {
      await app.close();
    }
  });
});
