import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { TasamError } from '@tasam/errors';
import { ModelRestartingError } from './errors/model-restarting-error';
import { ModelWorkerError } from './errors/model-worker-error';
import type { SamEngineSetup } from './load-sam-engine';
import {
  type EngineCall,
  type EngineReply,
  type ModelWorkerData,
  rebuildError,
  reviveSegmentation,
} from './model-worker-messages';
import type { SamEmbedding } from './sam-engine';
import type { SegmentRequest } from './segment-request';
import type { EngineSegmentation, SegmentationEngine, TaskModeStatus } from './segmentation-engine';
import type { RgbPixels } from './uploaded-image';

export interface WorkerSamEngineOptions {
  /** The worker's script. Default: the compiled model-worker.js. Tests pass a stand-in speaking the protocol. */
  script?: string | URL;
  /** Handed to the script as `workerData.extra` (for stand-ins). */
  extra?: unknown;
  /** Receives a line when the worker crashes and when it has been restarted. Default: stderr. */
  log?: (line: string) => void;
  /**
   * How long `close` lets the calls in flight finish before it stops the worker anyway (default 30 s). Stopping
   * the worker inside an onnxruntime run aborts the whole process (exit 134: onnxruntime-node throws a C++
   * exception into a terminated thread), so only a worker stuck longer than this is stopped regardless.
   */
  closeGraceMs?: number;
}

const CLOSE_GRACE_MS = 30_000;

type ReadyReply = Extract<EngineReply, { kind: 'ready' }>;

type WorkerState =
  | { kind: 'ready'; worker: Worker }
  /** The worker crashed; `worker` is its replacement, loading the models since `since`. */
  | { kind: 'restarting'; worker: Worker; since: number }
  /** A replacement failed to load: every call fails with `error`. */
  | { kind: 'unavailable'; error: ModelWorkerError }
  | { kind: 'closed' };

interface PendingCall {
  resolve: (reply: EngineReply) => void;
  reject: (error: Error) => void;
}

/** The compiled worker: beside this file in dist/, or in dist/ when this file runs from src/ (tests). */
function workerScript(): string {
  const beside = join(__dirname, 'model-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', 'dist', 'model-worker.js');
  if (existsSync(built)) return built;
  throw new ModelWorkerError(`script is missing (${beside}); run \`pnpm --filter @tasam/demo build\``);
}

/**
 * The demo's SamEngine in a worker thread of its own (model-worker.ts): the worker loads the models of a
 * `SamEngineSetup` and runs every `embed` and `segment` there, so while a model runs (an encoder run: seconds
 * of synchronous onnxruntime) the server's event loop still reads requests, answers /api/health and static
 * files, sheds late jobs and refuses with 503. `model` and `taskMode` are the worker's, read once at start-up.
 *
 * Stateless across calls: the per-image state (SAM's 4 MB embedding and, with grounding, the pixels) comes back
 * from `embed` in SharedArrayBuffers that the server's image store holds, and is posted back (shared, not
 * copied) with each `segment`; nothing per image lives in the worker, so evicting an image frees it and a new
 * worker can serve the images an old one embedded.
 *
 * Failures: an error thrown by a call in the worker rejects that call with the same class, code and message
 * (model-worker-messages.ts), so the HTTP status is the same as in-process. When the worker itself dies (it
 * exits, throws outside a call, or sends a message that cannot be read), its pending calls fail at once with
 * ModelWorkerError (500) and a new worker is started straight away: while it loads the models, calls are
 * refused at once with ModelRestartingError (503, Retry-After: what a start took) rather than held (their
 * deadlines would pass, and a queued job's plan cannot include a restart). If the new worker fails to load, the
 * engine reports itself unavailable (ModelWorkerError on every call) and does not try again: a start that fails
 * once fails the same way, and the operator has to look. A crash caused by one input costs one restart per
 * request that sends it, each admitted like any other job.
 *
 * The worker holds the process open only while a call is pending or a worker is starting; `close` lets the
 * calls in flight finish, then terminates it (terminating it inside an onnxruntime run would abort the process).
 */
export class WorkerSamEngine implements SegmentationEngine<SamEmbedding> {
  readonly model: string;
  readonly taskMode: TaskModeStatus;
  /** The worker's start-up notices (task mode on or off, the detector), for the server's log. */
  readonly notices: readonly string[];
  private state: WorkerState;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 0;
  /** Settles when the latest restart has (see `untilReady`). */
  private restart?: Promise<void>;
  /** While `close` waits for the calls in flight: called when the last one settles. */
  private onIdle?: () => void;

  private constructor(
    private readonly launch: () => { worker: Worker; ready: Promise<ReadyReply> },
    worker: Worker,
    ready: ReadyReply,
    /** How long the first start took, ms: the Retry-After while a replacement starts. */
    private readonly startMs: number,
    private readonly log: (line: string) => void,
    private readonly closeGraceMs: number,
  ) {
    this.model = ready.model;
    this.taskMode = ready.taskMode;
    this.notices = ready.notices;
    this.state = { kind: 'ready', worker };
    this.attach(worker);
  }

  /**
   * Starts the worker and resolves once it has loaded the models. A setup that does not load rejects with the
   * worker's error rebuilt (a checkpoint that is not one: its TasamError, code and message).
   */
  static async start(
    setup: SamEngineSetup = {},
    options: WorkerSamEngineOptions = {},
  ): Promise<WorkerSamEngine> {
    const script = options.script ?? workerScript();
    const workerData: ModelWorkerData = {
      setup,
      ...(options.extra !== undefined ? { extra: options.extra } : {}),
    };
    const launch = () => launchWorker(script, workerData);
    const started = performance.now();
    const { worker, ready } = launch();
    const reply = await ready;
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const grace = options.closeGraceMs ?? CLOSE_GRACE_MS;
    return new WorkerSamEngine(launch, worker, reply, performance.now() - started, log, grace);
  }

  embed(image: RgbPixels): Promise<SamEmbedding> {
    return this.call((id) => ({
      kind: 'embed',
      id,
      image: { data: image.data, width: image.width, height: image.height },
    })).then((reply) => (reply as Extract<EngineReply, { kind: 'embedded' }>).embedding);
  }

  segment(
    embedding: SamEmbedding,
    size: { width: number; height: number },
    request: SegmentRequest,
  ): Promise<EngineSegmentation> {
    return this.call((id) => ({
      kind: 'segment',
      id,
      embedding,
      // Only the size: callers pass the stored image, which carries more.
      size: { width: size.width, height: size.height },
      request,
    })).then((reply) =>
      reviveSegmentation((reply as Extract<EngineReply, { kind: 'segmented' }>).segmentation),
    );
  }

  /**
   * Resolves when a worker is ready for calls (at once, unless one is restarting); rejects when the engine is
   * unavailable or closed.
   */
  async untilReady(): Promise<void> {
    if (this.state.kind === 'restarting') await this.restart;
    if (this.state.kind !== 'ready') throw this.refusal();
  }

  /**
   * Stops the worker. Later calls fail with ModelWorkerError at once; the calls in flight finish first (a
   * replacement that is loading finishes loading), for up to `closeGraceMs`: terminating a worker inside an
   * onnxruntime call aborted the process (SIGTERM to `tasam-demo` during an upload exited 134). Calls still
   * pending after that fail with ModelWorkerError.
   */
  async close(): Promise<void> {
    const state = this.state;
    if (state.kind === 'closed') return;
    this.state = { kind: 'closed' };
    if (state.kind === 'ready' || state.kind === 'restarting') {
      if (state.kind === 'restarting') await this.restart;
      await this.inFlightSettled(state.worker);
      await state.worker.terminate();
    }
    this.failPending(new ModelWorkerError('was stopped while this call ran: the server is shutting down'));
  }

  /** Resolves when no call is pending, the worker has exited, or `closeGraceMs` has passed. */
  private inFlightSettled(worker: Worker): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('exit', done);
        this.onIdle = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.closeGraceMs);
      worker.once('exit', done);
      this.onIdle = done;
    });
  }

  private call(message: (id: number) => EngineCall): Promise<EngineReply> {
    const state = this.state;
    if (state.kind !== 'ready') return Promise.reject(this.refusal());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      state.worker.ref();
      try {
        state.worker.postMessage(message(id));
      } catch (error) {
        // Data that cannot be cloned: this call fails, the worker is fine.
        this.pending.delete(id);
        this.holdOpenWhileBusy();
        reject(error);
      }
    });
  }

  /** Why a call cannot be made now. */
  private refusal(): Error {
    switch (this.state.kind) {
      case 'restarting': {
        const left = this.startMs - (performance.now() - this.state.since);
        return new ModelRestartingError(Math.max(1, Math.ceil(left / 1000)));
      }
      case 'unavailable':
        return this.state.error;
      case 'closed':
        return new ModelWorkerError('is stopped: the server is shutting down');
      default:
        return new ModelWorkerError('is not ready');
    }
  }

  private attach(worker: Worker): void {
    worker.on('message', (reply: EngineReply) => this.settle(reply));
    worker.on('error', (error) => this.lost(worker, `failed (${error.message.split('\n')[0]})`, error));
    worker.on('exit', (code) => this.lost(worker, `exited (code ${code})`));
    worker.on('messageerror', (error) => this.lost(worker, 'sent a reply that could not be read', error));
    this.holdOpenWhileBusy();
  }

  private settle(reply: EngineReply): void {
    if (reply.kind === 'ready' || reply.kind === 'load-failed') return;
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    this.holdOpenWhileBusy();
    if (reply.kind === 'failed') call.reject(rebuildError(reply.failure));
    else call.resolve(reply);
    if (this.pending.size === 0) this.onIdle?.();
  }

  /** The worker died: its calls fail, and a replacement starts. Once per worker (an error is followed by exit). */
  private lost(worker: Worker, problem: string, cause?: unknown): void {
    if (this.state.kind !== 'ready' || this.state.worker !== worker) return;
    const calls = this.pending.size;
    this.failPending(
      new ModelWorkerError(
        `${problem}${calls > 0 ? ' while running this request' : ''}; it is being restarted`,
        cause === undefined ? {} : { cause },
      ),
    );
    // After `error` it exits anyway; after `messageerror` it would not.
    void worker.terminate();
    this.log(`tasam demo: the model worker ${problem}; restarting it`);
    const since = performance.now();
    const next = this.launch();
    this.state = { kind: 'restarting', worker: next.worker, since };
    const current = () => this.state.kind === 'restarting' && this.state.worker === next.worker;
    this.restart = next.ready.then(
      () => {
        if (!current()) return;
        this.state = { kind: 'ready', worker: next.worker };
        this.attach(next.worker);
        this.log(`tasam demo: the model worker was restarted (${Math.round(performance.now() - since)} ms)`);
      },
      (error: unknown) => {
        if (!current()) return;
        this.state = {
          kind: 'unavailable',
          error: new ModelWorkerError(
            `crashed and could not be restarted (${codeOf(error)}); restart the server`,
            { cause: error },
          ),
        };
        this.log(
          `tasam demo: the model worker could not be restarted: ${error instanceof Error ? error.message : error}`,
        );
      },
    );
  }

  private failPending(error: Error): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
  }

  private holdOpenWhileBusy(): void {
    if (this.state.kind !== 'ready') return;
    if (this.pending.size > 0) this.state.worker.ref();
    else this.state.worker.unref();
  }
}

/**
 * Starts a worker; `ready` resolves with its first message once it has loaded the models, or rejects with the
 * error it failed with (rebuilt) or with ModelWorkerError if it died first. A worker that failed is terminated.
 */
function launchWorker(
  script: string | URL,
  workerData: ModelWorkerData,
): { worker: Worker; ready: Promise<ReadyReply> } {
  const worker = new Worker(script, { workerData });
  const ready = new Promise<ReadyReply>((resolve, reject) => {
    const stop = () => {
      worker.off('exit', onExit);
      worker.off('error', onError);
      worker.off('message', onMessage);
    };
    const onExit = (code: number) => {
      stop();
      reject(new ModelWorkerError(`exited (code ${code}) while loading the models`));
    };
    const onError = (cause: Error) => {
      stop();
      void worker.terminate();
      reject(
        new ModelWorkerError(`failed while loading the models (${cause.message.split('\n')[0]})`, { cause }),
      );
    };
    const onMessage = (reply: EngineReply) => {
      stop();
      if (reply.kind === 'ready') {
        resolve(reply);
        return;
      }
      void worker.terminate();
      reject(
        reply.kind === 'load-failed'
          ? rebuildError(reply.failure)
          : new ModelWorkerError(`sent ${reply.kind} before it was ready`),
      );
    };
    worker.on('exit', onExit);
    worker.on('error', onError);
    worker.on('message', onMessage);
  });
  return { worker, ready };
}

function codeOf(error: unknown): string {
  return TasamError.isInstance(error) ? error.code : error instanceof Error ? error.name : 'unknown error';
}
