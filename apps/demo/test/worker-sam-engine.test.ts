import { join } from 'node:path';
import sharp from 'sharp';
import type { HealthResponse, UploadResponse } from '../src/api-types';
import { createDemoServer } from '../src/demo-server';
import { ModelRestartingError } from '../src/errors/model-restarting-error';
import { ModelWorkerError } from '../src/errors/model-worker-error';
import { TaskModeUnavailableError } from '../src/errors/task-mode-unavailable-error';
import { WorkerThrownError } from '../src/errors/worker-thrown-error';
import { toHttpError } from '../src/http-errors';
import { isShared } from '../src/model-worker-messages';
import type { SamEmbedding } from '../src/sam-engine';
import type { SegmentRequest } from '../src/segment-request';
import { WorkerSamEngine } from '../src/worker-sam-engine';
import { WEB_ROOT } from './serve-for-test';

// WorkerSamEngine's thread plumbing against a stand-in worker that speaks the model worker's protocol without a
// model (test/fixtures/stub-model-worker.js): replies, rebuilt errors, crashes and restarts, close, and the point
// of it all: the server answers requests while the worker is blocked in a (synchronous) model call. Nothing here
// depends on the machine's speed: the stub's "model" blocks until the test lets it go.

const STUB = join(__dirname, 'fixtures', 'stub-model-worker.js');
const SIZE = { width: 3, height: 2 };
const IMAGE = { data: new Uint8Array(3 * 2 * 3), ...SIZE };

function request(task?: string): SegmentRequest {
  return {
    imageId: 'x',
    mode: 'prompt',
    points: [{ x: 1, y: 1, label: 1 }],
    compare: false,
    ...(task ? { task } : {}),
  };
}

/** A stub engine that logs into `log`; `maxStarts`: starts beyond it fail to load. */
async function stub(options: { maxStarts?: number; gate?: Int32Array; closeGraceMs?: number } = {}) {
  const log: string[] = [];
  const starts = new Int32Array(new SharedArrayBuffer(4));
  const { closeGraceMs, ...extra } = options;
  const engine = await WorkerSamEngine.start(
    {},
    { script: STUB, extra: { starts, ...extra }, log: (line) => log.push(line), closeGraceMs },
  );
  return { engine, log, starts };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: Error) => error,
  );
}

describe('WorkerSamEngine', () => {
  it("takes the model's name and task mode from the worker, and runs embed and segment there", async () => {
    const { engine } = await stub();
    try {
      expect(engine.model).toBe('stub@0');
      expect(engine.taskMode).toEqual({ available: false, reason: 'a stub has no tasks' });
      expect(engine.notices).toEqual(['stub worker 1 ready']);
      const embedding = await engine.embed(IMAGE);
      // The per-image state comes back in shared memory, to be posted back with each call uncopied.
      expect(isShared(embedding.tensor.data.buffer)).toBe(true);
      expect([...embedding.tensor.data]).toEqual([3, 2]);
      const segmentation = await engine.segment(embedding, SIZE, request());
      expect(segmentation.sam!.instances[0].score).toBe(3);
      expect(segmentation.sam!.instances[0].rle.pixels).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it('rejects a call with the error the worker threw, rebuilt as its class with its HTTP status', async () => {
    const { engine } = await stub();
    try {
      const embedding = await engine.embed(IMAGE);
      const error = await failure(engine.segment(embedding, SIZE, request('unavailable')));
      expect(error).toBeInstanceOf(TaskModeUnavailableError);
      expect(error).toMatchObject({ task: 'unavailable', reason: 'stub' });
      expect(toHttpError(error).status).toBe(501);
      // The worker is fine: the next call is answered.
      await expect(engine.segment(embedding, SIZE, request())).resolves.toMatchObject({ trunkMs: 1 });
    } finally {
      await engine.close();
    }
  });

  it.each([
    [
      'exits',
      'exit',
      /^the model worker exited \(code 3\) while running this request; it is being restarted$/,
    ],
    [
      'throws outside a call',
      'throw',
      /^the model worker failed \(stub exploded\) while running this request/,
    ],
  ])(
    'when the worker %s, fails its call with a 500, refuses calls with 503 while a new one starts, then serves on',
    async (_, task, message) => {
      const { engine, log, starts } = await stub();
      try {
        const embedding = await engine.embed(IMAGE);
        const crashed = await failure(engine.segment(embedding, SIZE, request(task)));
        expect(crashed).toBeInstanceOf(ModelWorkerError);
        expect(crashed.message).toMatch(message);
        expect(toHttpError(crashed)).toMatchObject({ status: 500, serverFault: true });
        // The replacement is loading: a call now is refused at once, with a Retry-After.
        const refused = await failure(engine.segment(embedding, SIZE, request()));
        expect(refused).toBeInstanceOf(ModelRestartingError);
        expect(toHttpError(refused)).toMatchObject({
          status: 503,
          headers: { 'retry-after': expect.any(String) },
        });
        await engine.untilReady();
        expect(Atomics.load(starts, 0)).toBe(2);
        // The new worker serves the images the old one embedded: their state lives on this thread.
        await expect(engine.segment(embedding, SIZE, request())).resolves.toMatchObject({ trunkMs: 1 });
        expect(log).toEqual([
          expect.stringMatching(/^tasam demo: the model worker (exited|failed).*; restarting it$/),
          expect.stringMatching(/^tasam demo: the model worker was restarted \(\d+ ms\)$/),
        ]);
      } finally {
        await engine.close();
      }
    },
  );

  it('reports itself unavailable when the replacement does not load, and stops trying', async () => {
    const { engine, starts } = await stub({ maxStarts: 1 });
    try {
      const embedding = await engine.embed(IMAGE);
      await failure(engine.segment(embedding, SIZE, request('exit')));
      const unavailable = await failure(engine.untilReady());
      expect(unavailable).toBeInstanceOf(ModelWorkerError);
      expect(unavailable.message).toBe(
        'the model worker crashed and could not be restarted (HYPERNET_CHECKPOINT_FORMAT); restart the server',
      );
      expect(await failure(engine.embed(IMAGE))).toBe(unavailable);
      expect(Atomics.load(starts, 0)).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it('fails to start with the error the worker failed to load with', async () => {
    const error = await failure(stub({ maxStarts: 0 }));
    expect(error).toBeInstanceOf(WorkerThrownError);
    expect(error).toMatchObject({
      name: 'CheckpointFormatError',
      code: 'HYPERNET_CHECKPOINT_FORMAT',
      message: 'stub.safetensors: not a safetensors file',
      path: 'stub.safetensors',
    });
  });

  it('close stops a worker whose call does not end within the grace period, failing it and later calls', async () => {
    const { engine } = await stub({ closeGraceMs: 0 });
    const embedding: SamEmbedding = await engine.embed(IMAGE);
    const hanging = failure(engine.segment(embedding, SIZE, request('hang')));
    await engine.close();
    expect((await hanging).message).toMatch(/^the model worker was stopped while this call ran/);
    expect(await failure(engine.embed(IMAGE))).toBeInstanceOf(ModelWorkerError);
    await engine.close();
  });

  it('close lets a call blocked in the model finish before it stops the worker', async () => {
    // Terminating a worker inside an onnxruntime run aborts the process: close must wait for the run.
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const { engine } = await stub({ gate });
    const order: string[] = [];
    const embedding = engine.embed(IMAGE).then(
      (e) => {
        order.push('embedded');
        return e;
      },
      (error: Error) => {
        order.push(`failed: ${error.message}`);
      },
    );
    while (Atomics.load(gate, 1) === 0) await new Promise((resolve) => setImmediate(resolve));
    const closed = engine.close().then(() => order.push('closed'));
    expect(await failure(engine.embed(IMAGE))).toBeInstanceOf(ModelWorkerError);
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await Promise.all([embedding, closed]);
    expect(order).toEqual(['embedded', 'closed']);
  });

  it('answers /api/health and the page while the worker is blocked in a model call', async () => {
    // gate[0]: the test lets the model call end; gate[1]: the stub says it has entered the call.
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const { engine } = await stub({ gate });
    const app = await createDemoServer({ engine, webRoot: WEB_ROOT });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (typeof address !== 'object' || !address) throw new Error('server did not bind');
      const base = `http://127.0.0.1:${address.port}`;
      const order: string[] = [];
      const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#808080' } })
        .png()
        .toBuffer();
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'grey.png');
      const upload = fetch(`${base}/api/images`, { method: 'POST', body: form }).then(async (response) => {
        order.push('upload');
        return { status: response.status, json: (await response.json()) as UploadResponse };
      });
      // The encoder "runs": the worker thread is blocked in it, synchronously.
      while (Atomics.load(gate, 1) === 0) await new Promise((resolve) => setImmediate(resolve));
      const health = (await (await fetch(`${base}/api/health`)).json()) as HealthResponse;
      order.push('health');
      const page = await fetch(`${base}/`);
      await page.text();
      order.push('page');
      expect(health.queue.pending).toBe(1);
      expect(page.status).toBe(200);
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      expect(await upload).toMatchObject({ status: 201, json: { width: 3, height: 2 } });
      expect(order).toEqual(['health', 'page', 'upload']);
    } finally {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await app.close();
      await engine.close();
    }
  });
});
