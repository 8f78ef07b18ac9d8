import { Rle } from '@tasam/coco-data';
import { TasamError } from '@tasam/errors';
import { DemoRequestError } from './errors/demo-request-error';
import { ModelRestartingError } from './errors/model-restarting-error';
import { ModelWorkerError } from './errors/model-worker-error';
import { ServerBusyError } from './errors/server-busy-error';
import { TaskModeUnavailableError } from './errors/task-mode-unavailable-error';
import { WorkerThrownError } from './errors/worker-thrown-error';
import { toHttpError } from './http-errors';
import {
  isShared,
  ownEmbedding,
  rebuildError,
  reviveSegmentation,
  serialiseError,
  shareEmbedding,
} from './model-worker-messages';
import type { EngineSegmentation } from './segmentation-engine';

/** Another package's error, as sam-runtime's are. */
class InvalidPromptError extends TasamError<'INVALID_PROMPT'> {
  constructor(readonly problem: string) {
    super('INVALID_PROMPT', `prompt: ${problem}`);
  }
}

/** What the server's thread rebuilds from an error thrown in the worker (cloned, as postMessage clones). */
const acrossThreads = (error: unknown) => rebuildError(structuredClone(serialiseError(error)));

describe('model worker messages', () => {
  it("rebuilds the demo's errors as their own classes, with their fields and HTTP answer", () => {
    const unavailable = new TaskModeUnavailableError('segment all cats', 'no checkpoint');
    const rebuilt = acrossThreads(unavailable);
    expect(rebuilt).toBeInstanceOf(TaskModeUnavailableError);
    expect(rebuilt).toMatchObject({
      task: 'segment all cats',
      reason: 'no checkpoint',
      code: 'DEMO_TASK_UNAVAILABLE',
    });
    expect(rebuilt.name).toBe('TaskModeUnavailableError');
    expect(rebuilt.message).toBe(unavailable.message);
    expect(toHttpError(rebuilt)).toEqual(toHttpError(unavailable));
    expect(toHttpError(rebuilt).status).toBe(501);

    const bad = new DemoRequestError('points[0].x', 'lies outside the image');
    expect(acrossThreads(bad)).toBeInstanceOf(DemoRequestError);
    expect(toHttpError(acrossThreads(bad))).toEqual(toHttpError(bad));
    expect(toHttpError(acrossThreads(bad)).status).toBe(400);
  });

  it("keeps any tasam error's code, name, message and data fields, so its status and headers are the same", () => {
    const busy = new ServerBusyError({
      kind: 'prompt',
      pending: 3,
      expectedMs: 12_000,
      maxWaitMs: 10_000,
      retryAfterSeconds: 4,
    });
    const restarting = new ModelRestartingError(7);
    const foreign = new InvalidPromptError('no points and no box');
    for (const error of [busy, restarting, foreign]) {
      const rebuilt = acrossThreads(error);
      expect(TasamError.isInstance(rebuilt)).toBe(true);
      expect(rebuilt).toMatchObject({ name: error.name, code: error.code, message: error.message });
      expect(toHttpError(rebuilt)).toEqual(toHttpError(error));
    }
    expect(acrossThreads(foreign)).toBeInstanceOf(WorkerThrownError);
    expect(acrossThreads(foreign)).toMatchObject({ problem: 'no points and no box' });
    expect(toHttpError(acrossThreads(busy))).toMatchObject({ status: 503, headers: { 'retry-after': '4' } });
    expect(toHttpError(acrossThreads(restarting))).toMatchObject({
      status: 503,
      headers: { 'retry-after': '7' },
    });
    // Another package's code has no status of its own: a server fault, as it was in-process.
    expect(toHttpError(acrossThreads(foreign))).toMatchObject({ status: 500, serverFault: true });
  });

  it('rebuilds other errors by name, keeps the worker stack and the cause, and drops what cannot be cloned', () => {
    const typeError = new TypeError('Tensor.data must be a typed array');
    const rebuilt = acrossThreads(typeError);
    expect(rebuilt).toBeInstanceOf(TypeError);
    expect(rebuilt.message).toBe(typeError.message);
    expect(rebuilt.stack).toBe(typeError.stack);
    expect(toHttpError(rebuilt).body.error.code).toBe('DEMO_INTERNAL');

    const odd = Object.assign(new Error('ort failed', { cause: new Error('out of memory') }), {
      name: 'OrtError',
      callback: () => undefined,
      status: 7,
    });
    const oddRebuilt = acrossThreads(odd);
    expect(oddRebuilt.name).toBe('OrtError');
    expect((oddRebuilt.cause as Error).message).toBe('out of memory');
    expect(serialiseError(odd).fields).toEqual({ status: 7 });

    expect(acrossThreads('a string was thrown').message).toBe('a string was thrown');
    expect(acrossThreads({ reason: 'an object was thrown' }).message).toBe(
      '{"reason":"an object was thrown"}',
    );
  });

  it('answers a worker failure with 500 and its message, logged as a server fault', () => {
    const error = new ModelWorkerError('exited (code 3) while running this request; it is being restarted');
    expect(toHttpError(error)).toEqual({
      status: 500,
      body: { error: { code: 'DEMO_MODEL_WORKER', message: error.message } },
      serverFault: true,
    });
  });

  it('moves per-image state into shared memory once, and gives the worker its own tensor per call', () => {
    const tensor = { data: Float32Array.from([1, 2, 3, 4]), dims: [1, 4] };
    const pixels = { data: Uint8Array.from([9, 8, 7]), width: 1, height: 1 };
    const shared = shareEmbedding({ tensor, pixels });
    expect(isShared(shared.tensor.data.buffer)).toBe(true);
    expect(isShared(shared.pixels!.data.buffer)).toBe(true);
    expect(shared.tensor).toEqual(tensor);
    expect(shared.pixels).toEqual(pixels);
    // postMessage shares it: the clone sees the same memory.
    const posted = structuredClone(shared);
    posted.tensor.data[0] = 42;
    expect(shared.tensor.data[0]).toBe(42);
    // Shared memory is shared as it is, not copied again.
    expect(shareEmbedding(shared).tensor.data).toBe(shared.tensor.data);

    const own = ownEmbedding(posted);
    // onnxruntime-node refuses shared memory: the tensor is the worker's own copy; the pixels, read by
    // JavaScript only, stay shared.
    expect(isShared(own.tensor.data.buffer)).toBe(false);
    expect(own.pixels!.data).toBe(posted.pixels!.data);
    expect([...own.tensor.data]).toEqual([42, 2, 3, 4]);
    expect([...own.pixels!.data]).toEqual([9, 8, 7]);
    expect(shareEmbedding({ tensor }).pixels).toBeUndefined();
  });

  it('rebuilds the Rle class of every instance of a cloned segmentation', () => {
    const segmentation: EngineSegmentation = {
      sam: { instances: [{ rle: new Rle(2, 1, Uint32Array.of(1, 1)), score: 0.9 }], headsMs: 1 },
      tasam: {
        instances: [
          { rle: new Rle(2, 1, Uint32Array.of(0, 2)), score: 0.5, category: 'cat', detectorScore: 0.6 },
        ],
      },
      trunkMs: 3,
      path: 'detector',
    };
    const revived = reviveSegmentation(structuredClone(segmentation));
    expect(revived.sam!.instances[0].rle).toBeInstanceOf(Rle);
    expect(revived.tasam!.instances[0].rle).toBeInstanceOf(Rle);
    expect(revived).toEqual(segmentation);
    expect(reviveSegmentation({ trunkMs: 1 })).toEqual({ trunkMs: 1 });
  });
});
