import { performance } from 'node:perf_hooks';

/**
 * How long the server's event loop was recently blocked: a request sent during a block is seen (its arrival
 * stamped) up to that long after its client sent it, so the queue keeps this much of every job's budget free
 * (SessionQueue's `reserveMs`). With the models in the worker thread (WorkerSamEngine, the default) what blocks
 * the loop is short: parsing and answering requests, hashing an upload, copying its pixels to the worker,
 * reading a reply and COCO-compressing its masks; the reserve stays near zero. With `--no-model-worker`,
 * onnxruntime-node runs each model synchronously on this thread (and SAM's heads too), and the reserve is the
 * longest model run of the last seconds.
 *
 * Measured with a heartbeat timer rather than perf_hooks' histogram: a loop iteration runs its timers before it
 * polls for I/O, so a block has been recorded before the requests that waited behind it are read, and the
 * reserve they are admitted with includes it. The longest gap over the current and the previous window counts.
 */
export class EventLoopLag {
  private previousMaxMs = 0;
  private currentMaxMs = 0;
  private lastBeat = performance.now();
  private windowStarted = this.lastBeat;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly windowMs = 2000,
    private readonly beatMs = 10,
  ) {
    this.timer = setInterval(() => this.beat(), beatMs);
    this.timer.unref();
  }

  /** The longest block of the event loop in the last one to two windows (beyond the heartbeat's period), ms. */
  recentMaxMs(): number {
    return Math.max(this.previousMaxMs, this.currentMaxMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    const now = performance.now();
    const gap = Math.max(0, now - this.lastBeat - this.beatMs);
    this.lastBeat = now;
    if (now - this.windowStarted >= this.windowMs) {
      this.previousMaxMs = this.currentMaxMs;
      this.currentMaxMs = 0;
      this.windowStarted = now;
    }
    this.currentMaxMs = Math.max(this.currentMaxMs, gap);
  }
}
