import { ServerBusyError } from './errors/server-busy-error';

/**
 * Runs jobs on the shared SAM sessions one at a time, in arrival order. onnxruntime sessions are not safe to
 * drive from overlapping async calls, and two encoder runs at once would only split the same two cores, so
 * requests wait their turn instead of racing. A job that fails rejects only its own caller; the next job runs.
 */
export class SessionQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(readonly maxPending = 32) {}

  /** Jobs waiting or running right now. */
  get size(): number {
    return this.pending;
  }

  /** Queues `job`; throws ServerBusyError at once when `maxPending` jobs are already queued. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.pending >= this.maxPending) return Promise.reject(new ServerBusyError(this.pending));
    this.pending++;
    const result = this.tail.then(job).finally(() => {
      this.pending--;
    });
    // The chain must survive a failing job, so the tail swallows its rejection (the caller still sees it).
    this.tail = result.catch(() => undefined);
    return result;
  }
}
