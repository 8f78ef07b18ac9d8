import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CocoEvalInputError } from './errors';
import type { EvalPlan } from './eval-plan';
import { chunkTransferList, type PackedChunk } from './packed-chunk';
import type { EvalSettings } from './pair-input';

export interface WorkerOptions {
  /**
   * Worker threads for evaluateAsync, besides this thread, which evaluates chunks too: a count (0: this
   * thread only), or 'auto' (default): defaultWorkerCount() when there are at least AUTO_WORKER_MIN_PAIRS
   * pairs, else none.
   */
  workers?: number | 'auto';
  /** Pairs per chunk (default 256). */
  chunkPairs?: number;
  onProgress?: (done: number, total: number) => void;
}

export type WorkerReply =
  | { id: number; done: number }
  | { id: number; error: { message: string; source?: string; problem?: string; stack?: string } };

/** Below this many (image, category) pairs, starting workers costs more than it saves. */
export const AUTO_WORKER_MIN_PAIRS = 2000;

/**
 * Workers for 'auto': this thread takes one core, a worker each other idle core, at most `cap`, and none
 * when that makes only one. Cores already busy (1-minute load average) are not counted: a worker that gets
 * no core of its own only adds the cost of packing its chunks and finishes later than this thread alone.
 * A single worker did not pay off even with its core idle (COCO-val-sized segm case, 2 cores: 4.8 s against
 * 3.9 s alone): packing a pair for it costs a third of evaluating it, and it compiles its own code.
 */
export function defaultWorkerCount(cap = 3, cores = availableParallelism(), load = loadavg()[0]): number {
  const idle = Math.round(cores - load);
  const workers = Math.max(0, Math.min(cap, cores - 1, idle - 1));
  return workers >= 2 ? workers : 0;
}

/** The compiled worker: beside this file in dist/, or dist/ when this file runs from src/ (tests). */
function workerScript(): string {
  const beside = join(__dirname, 'eval-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', 'dist', 'eval-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`@tasam/coco-eval: worker script not found (${beside}); build the package first`);
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Evaluates the plan's pairs in chunks, shared between `workerCount` worker threads and this thread.
 * Workers get packed chunks (two in flight each, so none waits) and write flags and best IoU straight into
 * the plan's shared buffers; between its own chunks this thread yields so replies are handled and workers
 * fed. Packing costs this thread time, so it evaluates only while no worker is short of work.
 */
export async function evaluateInWorkers(
  plan: EvalPlan,
  pack: (id: number, start: number, end: number) => PackedChunk,
  evaluateHere: (start: number, end: number) => void,
  settings: EvalSettings,
  workerCount: number,
  options: WorkerOptions,
): Promise<void> {
  const total = plan.pairs.count;
  options.onProgress?.(0, total);
  if (total === 0) return;
  const chunkPairs = Math.max(1, options.chunkPairs ?? 256);
  const chunks = Math.ceil(total / chunkPairs);
  let nextChunk = 0;
  let finishedChunks = 0;
  let donePairs = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const finished = (pairs: number) => {
    finishedChunks++;
    donePairs += pairs;
    options.onProgress?.(donePairs, total);
    wake?.();
  };
  const fail = (error: Error) => {
    failure ??= error;
    wake?.();
  };
  const range = (id: number): [number, number] => [id * chunkPairs, Math.min(total, (id + 1) * chunkPairs)];
  const feed = (worker: Worker) => {
    if (failure || nextChunk >= chunks) return;
    const id = nextChunk++;
    try {
      const chunk = pack(id, ...range(id));
      worker.postMessage(chunk, chunkTransferList(chunk));
    } catch (error) {
      fail(error as Error);
    }
  };

  const workers: Worker[] = [];
  try {
    for (let w = 0; w < workerCount && w < chunks; w++) {
      const worker = new Worker(workerScript(), {
        workerData: { settings, flags: plan.pairs.flags.buffer, bestIou: plan.bestIou.buffer },
      });
      workers.push(worker);
      worker.on('message', (reply: WorkerReply) => {
        if ('error' in reply) {
          const { source, problem, message } = reply.error;
          fail(
            source && problem
              ? new CocoEvalInputError(source, problem)
              : new Error(`coco-eval worker: ${message}`),
          );
          return;
        }
        finished(reply.done);
        feed(worker);
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && finishedChunks < chunks)
          fail(new Error(`coco-eval worker exited with code ${code}`));
      });
      feed(worker);
      feed(worker);
    }
    // This thread's share: the chunks nobody took yet, one at a time.
    while (!failure && nextChunk < chunks) {
      const id = nextChunk++;
      try {
        evaluateHere(...range(id));
      } catch (error) {
        fail(error as Error);
        break;
      }
      finished(range(id)[1] - range(id)[0]);
      await yieldToEvents();
    }
    while (!failure && finishedChunks < chunks) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
    if (failure) throw failure;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
