import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BatchWorkerError } from '../errors';
import type { BatchPreparer, BatchRequest, PreparedBatch } from './batch-preparer';
import type {
  BatchWorkerData,
  BatchWorkerReply,
  PrepareMessage,
  WorkerFailure,
  WorkerRuntimeOptions,
} from './batch-worker-messages';

function workerScript(): string {
  const beside = join(__dirname, 'batch-worker-thread.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', '..', 'dist', 'batch-preparation', 'batch-worker-thread.js');
  if (existsSync(built)) return built;
  throw new BatchWorkerError('batch worker', `script not found (${beside}); build @tasam/hypernet first`);
}

export interface BatchWorkerOptions {
  /** The worker's SamRuntime: the same models and caches as the training thread's (`runtime.options`). */
  runtime: WorkerRuntimeOptions;
  /** Lines the worker's runtime logs (trunk built, cache entry rejected). */
  log?: (line: string) => void;
}

/**
 * Prepares training batches in a worker thread with its own SamRuntime, so that the trunk (onnxruntime, which
 * blocks the thread that runs it) and image loading run while the training thread computes a step.
 * Requests are answered in order; a failed request rejects with BatchWorkerError carrying the worker's error
 * code, and if the worker dies every pending request is rejected.
 */
export class BatchWorker implements BatchPreparer {
  private nextId = 0;
  /** Requests sent and not yet answered, by id. */
  private readonly pending = new Map<
    number,
    { resolve: (b: PreparedBatch) => void; reject: (e: Error) => void; prepared: Promise<PreparedBatch> }
  >();
  private exited?: BatchWorkerError;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: BatchWorkerReply) => {
      if (reply.kind !== 'prepared' && reply.kind !== 'failed') return;
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      this.pending.delete(reply.id);
      if (reply.kind === 'prepared') entry.resolve(reply.batch);
      else entry.reject(failed('training batch', reply.failure));
    });
    worker.on('error', (error) =>
      this.fail(new BatchWorkerError('batch worker', `crashed: ${error.message}`)),
    );
    worker.on('exit', (code) => this.fail(new BatchWorkerError('batch worker', `exited with code ${code}`)));
  }

  /** Starts the worker and waits until its runtime is loaded (model errors surface here). */
  static start(options: BatchWorkerOptions): Promise<BatchWorker> {
    const worker = new Worker(workerScript(), {
      workerData: { runtime: options.runtime } satisfies BatchWorkerData,
    });
    return new Promise((resolve, reject) => {
      const onMessage = (reply: BatchWorkerReply) => {
        if (reply.kind === 'log') options.log?.(reply.line);
        else if (reply.kind === 'ready') {
          worker.off('error', onError);
          resolve(new BatchWorker(worker));
        } else if (reply.kind === 'start-failed') {
          worker.off('error', onError);
          void worker.terminate();
          reject(failed('batch worker start', reply.failure));
        }
      };
      const onError = (error: Error) =>
        reject(new BatchWorkerError('batch worker', `crashed: ${error.message}`));
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', (code) => reject(new BatchWorkerError('batch worker', `exited with code ${code}`)));
    });
  }

  prepare(request: BatchRequest): Promise<PreparedBatch> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    let settle!: { resolve: (b: PreparedBatch) => void; reject: (e: Error) => void };
    const prepared = new Promise<PreparedBatch>((resolve, reject) => {
      settle = { resolve, reject };
    });
    this.pending.set(id, { ...settle, prepared });
    this.worker.postMessage({ id, request } satisfies PrepareMessage);
    return prepared;
  }

  /**
   * Lets the requests in flight finish (at most a few trunk runs: terminating a worker inside an onnxruntime call
   * aborts the process), then stops the worker. Later requests are rejected.
   */
  async close(): Promise<void> {
    if (this.exited) return;
    this.exited = new BatchWorkerError('batch worker', 'closed');
    await Promise.allSettled([...this.pending.values()].map((entry) => entry.prepared));
    await this.worker.terminate();
  }

  private fail(error: BatchWorkerError): void {
    this.exited ??= error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}

function failed(input: string, failure: WorkerFailure): BatchWorkerError {
  return new BatchWorkerError(input, failure.message, failure.code);
}
