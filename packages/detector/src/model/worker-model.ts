import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RgbImage } from '@tasam/coco-data';
import type * as tf from '@tensorflow/tfjs-core';
import { DetectorModelLoadError, DetectorWorkerError } from '../errors';
import type { Detection, ShippedModelName } from '../types';
import type { DetectorModel, PassFilter } from './detector-model';
import type {
  BuildRequest,
  ModelWorkerData,
  PassRequest,
  WorkerFailure,
  WorkerReply,
} from './worker-messages';

/** The compiled worker: beside this file in dist/, or in dist/ when this file runs from src/ (tests). */
function workerScript(): string {
  const beside = join(__dirname, 'model-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', '..', 'dist', 'model', 'model-worker.js');
  if (existsSync(built)) return built;
  throw new DetectorWorkerError('worker', `script not found (${beside}); build @tasam/detector first`);
}

/** The weight buffers of artifacts, moved (not copied) into the worker. */
function weightBuffers(artifacts: tf.io.ModelArtifacts): ArrayBuffer[] {
  const data = artifacts.weightData;
  if (data === undefined) return [];
  return (Array.isArray(data) ? data : [data]).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

interface Pending {
  resolve: (detections: Detection[]) => void;
  reject: (error: Error) => void;
}

/**
 * A model running in a worker thread of its own (its own tfjs wasm engine), behind the DetectorModel
 * interface: `run` posts the pixels and resolves with the worker's detections. The worker holds the process
 * open only while a pass is in flight, so a caller that forgets `dispose` still exits.
 */
export class WorkerDetectorModel implements DetectorModel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private exited: Error | null = null;

  private constructor(
    readonly name: ShippedModelName,
    readonly id: string,
    readonly inputSize: number,
    private readonly worker: Worker,
    modelDir: string,
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind !== 'pass' && reply.kind !== 'pass-failed') return;
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      this.holdOpenWhileBusy();
      if (reply.kind === 'pass') pending.resolve(reply.detections);
      else pending.reject(toError(name, reply.failure, modelDir));
    });
    const fail = (error: Error) => {
      this.exited ??= error;
      for (const pending of this.pending.values()) pending.reject(this.exited);
      this.pending.clear();
    };
    worker.on('error', (cause) => fail(new DetectorWorkerError(name, cause.message, { cause })));
    worker.on('exit', (code) => fail(new DetectorWorkerError(name, `exited (code ${code})`)));
    worker.unref();
  }

  /**
   * Starts a worker at once (it loads tfjs, ~0.2 s) and, when `artifacts` resolve (read and checksum-checked on
   * this thread meanwhile, so file errors keep their types), has it build the model from them; resolves once it
   * is ready to run passes. If `artifacts` reject, the worker is stopped and their error is this one's.
   */
  static start(
    name: ShippedModelName,
    id: string,
    inputSize: number,
    artifacts: Promise<tf.io.ModelArtifacts>,
    modelDir: string,
  ): Promise<WorkerDetectorModel> {
    const workerData: ModelWorkerData = { name, modelDir };
    const worker = new Worker(workerScript(), { workerData });
    artifacts.then(
      (read) => {
        const request: BuildRequest = { kind: 'build', artifacts: read };
        worker.postMessage(request, weightBuffers(read));
      },
      () => void worker.terminate(),
    );
    const loaded = new Promise<WorkerDetectorModel>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new DetectorWorkerError(name, `exited while loading (code ${code})`));
      const onError = (cause: Error) => {
        void worker.terminate();
        reject(new DetectorWorkerError(name, `failed while loading: ${cause.message}`, { cause }));
      };
      worker.once('exit', onExit);
      worker.once('error', onError);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('exit', onExit);
        worker.off('error', onError);
        if (reply.kind === 'ready') {
          resolve(new WorkerDetectorModel(name, id, inputSize, worker, modelDir));
        } else {
          void worker.terminate();
          reject(
            reply.kind === 'load-failed'
              ? toError(name, reply.failure, modelDir)
              : new DetectorWorkerError(name, `unexpected reply ${reply.kind} while loading`),
          );
        }
      });
    });
    // When the files fail, their typed error is the one reported, not the exit of the worker stopped for it.
    loaded.catch(() => undefined);
    return artifacts.then(() => loaded);
  }

  run(image: RgbImage, mirrored: boolean, filter: PassFilter): Promise<Detection[]> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const request: PassRequest = {
      kind: 'pass',
      id,
      image: { data: image.data, width: image.width, height: image.height },
      mirrored,
      scoreThreshold: filter.scoreThreshold,
      categoryIds: filter.categoryIds ? [...filter.categoryIds] : undefined,
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.holdOpenWhileBusy();
      this.worker.postMessage(request);
    });
  }

  dispose(): void {
    this.exited ??= new DetectorWorkerError(this.name, 'disposed');
    void this.worker.terminate();
  }

  private holdOpenWhileBusy(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

function toError(name: string, failure: WorkerFailure, modelDir: string): Error {
  if (failure.modelProblem !== undefined) {
    return new DetectorModelLoadError(modelDir, failure.modelProblem);
  }
  return new DetectorWorkerError(name, failure.message);
}
