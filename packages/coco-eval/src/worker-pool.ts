import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CocoEvalInputError } from './errors';
import type { EvalPlan } from './eval-plan';
import { chunkTransferList, type PackedChunk } from './packed-chunk';
import type { EvalSettings } from './pair-input';

export interface WorkerOptions {
  /**
   * Worker threads for evaluateAsync: a count (0: this thread), or 'auto' (default): one per core (at most
   * 4) when there are at least AUTO_WORKER_MIN_PAIRS pairs, else this thread.
   */
  workers?: number | 'auto';
  /** Pairs per message to a worker (default 256). */
  chunkPairs?: number;
  onProgress?: (done: number, total: number) => void;
}

export type WorkerReply =
  | { id: number; done: number }
  | { id: number; error: { message: string; source?: string; problem?: string; stack?: string } };

/** Below this many (image, category) pairs, starting workers costs more than it saves. */
export const AUTO_WORKER_MIN_PAIRS = 2000;

/** One worker per available core, at most `cap` (masks and IoU are CPU-bound; more threads only contend). */
export function defaultWorkerCount(cap = 4): number {
  return Math.max(1, Math.min(cap, availableParallelism()));
}

/** The compiled worker: beside this file in dist/, or dist/ when this file runs from src/ (tests). */
function workerScript(): string {
  const beside = join(__dirname, 'eval-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', 'dist', 'eval-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`@tasam/coco-eval: worker script not found (${beside}); build the package first`);
}

/**
 * Spreads the plan's pairs over worker threads in chunks (two in flight per worker so none waits on the
 * main thread); workers write flags and best IoU straight into the plan's shared buffers.
 */
export async function evaluateInWorkers(
  plan: EvalPlan,
  pack: (id: number, start: number, end: number) => PackedChunk,
  settings: EvalSettings,
  options: WorkerOptions,
): Promise<void> {
  const total = plan.pairs.count;
  options.onProgress?.(0, total);
  if (total === 0) return;
  const chunkPairs = Math.max(1, options.chunkPairs ?? 256);
  const chunks = Math.ceil(total / chunkPairs);
  const wanted = typeof options.workers === 'number' ? options.workers : defaultWorkerCount();
  const workerCount = Math.max(1, Math.min(wanted, chunks));
  let nextChunk = 0;
  let finishedChunks = 0;
  let donePairs = 0;

  const makeChunk = (): PackedChunk | null => {
    if (nextChunk >= chunks) return null;
    const id = nextChunk++;
    const start = id * chunkPairs;
    return pack(id, start, Math.min(total, start + chunkPairs));
  };

  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const feed = (worker: Worker) => {
        if (failed) return;
        let chunk: PackedChunk | null;
        try {
          chunk = makeChunk();
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (chunk) worker.postMessage(chunk, chunkTransferList(chunk));
      };
      for (let w = 0; w < workerCount; w++) {
        const worker = new Worker(workerScript(), {
          workerData: { settings, flags: plan.pairs.flags.buffer, bestIou: plan.bestIou.buffer },
          // Mask decoding allocates many short-lived typed arrays; a larger young generation scavenges less.
          resourceLimits: { maxYoungGenerationSizeMb: 64 },
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
          finishedChunks++;
          donePairs += reply.done;
          options.onProgress?.(donePairs, total);
          if (finishedChunks === chunks) resolve();
          else feed(worker);
        });
        worker.on('error', (error) => fail(error));
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`coco-eval worker exited with code ${code}`));
        });
        feed(worker);
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
