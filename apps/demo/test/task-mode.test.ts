import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TasamError } from '@tasam/errors';
import { Hypernetwork, resolveConfig, saveHypernet, useBackend } from '@tasam/hypernet';
import { headWeightsFromModel, locateSamModels } from '@tasam/sam-runtime';
import { createTextEncoder } from '@tasam/text-encoder';
import type { FastifyInstance } from 'fastify';
import type { HealthResponse, SegmentResponse, UploadResponse } from '../src/api-types';
import { loadTaskLoras } from '../src/hypernet-task-loras';
import { SamEngine } from '../src/sam-engine';
import { FIXTURES, serveForTest } from './serve-for-test';

// Task mode end to end with real hypernetwork checkpoints built here (small, untrained): the task text goes
// through USE-lite and the hypernetwork into the heads. An untrained network's B is zero, so tasam must equal
// plain SAM exactly; with non-zero B the task-adapted heads must score differently from the same trunk run.
jest.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), 'tasam-demo-task-'));
const zeroCheckpoint = join(dir, 'zero-b.safetensors');
const taskCheckpoint = join(dir, 'random-b.safetensors');
const cats = readFileSync(join(FIXTURES, 'cats.jpg'));

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

async function serveWithCheckpoint(checkpoint: string): Promise<{ app: FastifyInstance; base: string }> {
  const tasks = await loadTaskLoras({ checkpoint });
  expect(tasks.id).toMatch(/^hypernet [0-9a-f]{16} \+ /);
  const engine = await SamEngine.create({
    taskLoras: tasks.generator,
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
      expect(health.taskMode).toEqual({ available: true });
      const imageId = await uploadCats(base);
      const prompt = await segment(base, {
        imageId,
        task: 'segment all cats',
        compare: true,
        points: [{ x: 150, y: 200, label: 1 }],
      });
      expect(prompt.task).toBe('segment all cats');
      expect(prompt.results.tasam!.instances).toEqual(prompt.results.sam!.instances);
      expect(prompt.results.sam!.instances).toHaveLength(1);

      const automatic = await segment(base, {
        imageId,
        mode: 'automatic',
        task: 'segment all cats',
        compare: true,
      });
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
