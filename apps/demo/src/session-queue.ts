import { performance } from 'node:perf_hooks';
import { ClientGoneError } from './errors/client-gone-error';
import { ServerBusyError } from './errors/server-busy-error';
import { JobDurations, type JobKind } from './job-durations';

export interface SessionQueueOptions {
  /**
   * Admission bound, ms: a job is admitted only when the model is expected to answer it within this time
   * (the rest of the running job, every job waiting ahead of it, and its own run). Default 10 000.
   */
  maxWaitMs?: number;
  /** Hard cap on jobs waiting or running, whatever their expected times (memory, not latency). Default 256. */
  maxPending?: number;
  /**
   * Margin for slower jobs, in standard deviations per job: a job is admitted when the sum of the expected
   * times of the jobs ahead and its own, plus this many of each one's standard deviation, fits the bound. The
   * deviations add up (not in quadrature) because on a shared machine job times move together: a slow spell
   * slows every job in the queue. Default 1; 0 admits on the means alone.
   */
  deviations?: number;
  /** Expected durations per job kind (measured as jobs run); default: a fresh JobDurations with its priors. */
  durations?: JobDurations;
  /** Milliseconds, monotonic; injectable so tests never depend on the machine's speed. */
  now?: () => number;
}

export const DEFAULT_MAX_WAIT_MS = 10_000;
export const DEFAULT_MAX_PENDING = 256;
export const DEFAULT_ADMISSION_DEVIATIONS = 1;

/** The verdict on a job that would be queued now. */
export interface Admission {
  admitted: boolean;
  /** Expected time until the model is done with it: the queue's drain time plus its own run, ms. */
  expectedMs: number;
  /** `expectedMs` plus `deviations` standard deviations of each job in it: what must fit the bound, ms. */
  upperMs: number;
  /** Expected time until everything queued now is done, ms. */
  drainMs: number;
  /** Whole seconds (at least 1) until the queue is expected to have drained. */
  retryAfterSeconds: number;
  /** Jobs waiting or running. */
  pending: number;
  /** True when refused by the hard cap rather than the time bound. */
  overCap: boolean;
}

interface QueuedJob {
  kind: JobKind;
  job: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Runs jobs on the shared SAM sessions one at a time, in arrival order. onnxruntime sessions are not safe to
 * drive from overlapping async calls, and two encoder runs at once would only split the same two cores, so
 * requests wait their turn instead of racing. A job that fails rejects only its own caller; the next job runs.
 *
 * Admission is by time, not by count: each job kind's duration is measured as jobs run (JobDurations: a moving
 * mean and variance), and a new job is refused with ServerBusyError (503, Retry-After) unless the model is
 * expected to answer it within `maxWaitMs` with `deviations` standard deviations per job to spare. An idle model
 * admits any job (a grid slower than the bound would otherwise never run).
 * A job whose `signal` aborts (its client went away) while it waits is removed and never runs; one that is
 * already running finishes (onnxruntime cannot be interrupted) and its result is dropped: its caller gets
 * ClientGoneError either way.
 */
export class SessionQueue {
  readonly maxWaitMs: number;
  readonly maxPending: number;
  readonly deviations: number;
  readonly durations: JobDurations;
  private readonly now: () => number;
  private readonly waiting: QueuedJob[] = [];
  private running?: { kind: JobKind; startedAt: number };
  /** A start is scheduled for the next turn of the event loop. */
  private starting = false;

  constructor(options: SessionQueueOptions = {}) {
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.deviations = options.deviations ?? DEFAULT_ADMISSION_DEVIATIONS;
    this.durations = options.durations ?? new JobDurations();
    this.now = options.now ?? (() => performance.now());
  }

  /** Jobs waiting or running right now. */
  get size(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  /** Expected time until every job queued now is done: the running job's remainder plus each waiting job. */
  expectedDrainMs(): number {
    return this.plan().meanMs;
  }

  /**
   * The queue's expected total and the sum of its jobs' standard deviations. A running job that has overrun
   * its kind's mean is read as a slowdown already under way: jobs of its kind are planned at the mean its
   * overrun would give (JobDurations.expectedIfSlower), and its own remainder counts as nothing (it may end any
   * moment) plus the kind's spread.
   */
  private plan(extra?: JobKind): { meanMs: number; deviationMs: number } {
    const now = this.now();
    const elapsed = this.running ? now - this.running.startedAt : 0;
    const mean = (kind: JobKind) =>
      this.running?.kind === kind
        ? this.durations.expectedIfSlower(kind, elapsed)
        : this.durations.expected(kind);
    const deviation = (kind: JobKind) => Math.sqrt(this.durations.variance(kind));
    let meanMs = 0;
    let deviationMs = 0;
    if (this.running) {
      meanMs += Math.max(0, mean(this.running.kind) - elapsed);
      deviationMs += deviation(this.running.kind);
    }
    for (const kind of [...this.waiting.map((queued) => queued.kind), ...(extra ? [extra] : [])]) {
      meanMs += mean(kind);
      deviationMs += deviation(kind);
    }
    return { meanMs, deviationMs };
  }

  /** Would a job of this kind be admitted now? (What `run` checks; exposed for tests and /api/health.) */
  admission(kind: JobKind): Admission {
    const pending = this.size;
    const drainMs = this.plan().meanMs;
    const withJob = this.plan(kind);
    const expectedMs = withJob.meanMs;
    const upperMs = expectedMs + this.deviations * withJob.deviationMs;
    const overCap = pending >= this.maxPending;
    return {
      admitted: !overCap && (pending === 0 || upperMs <= this.maxWaitMs),
      expectedMs,
      upperMs,
      drainMs,
      retryAfterSeconds: Math.max(1, Math.ceil(drainMs / 1000)),
      pending,
      overCap,
    };
  }

  /**
   * Throws ServerBusyError unless a job of this kind would be admitted now: lets a route refuse before it
   * spends work (an upload's decoding) on a job the queue would refuse anyway.
   */
  assertAdmits(kind: JobKind): void {
    const admission = this.admission(kind);
    if (admission.admitted) return;
    throw new ServerBusyError({
      kind,
      pending: admission.pending,
      expectedMs: admission.expectedMs,
      upperMs: admission.upperMs,
      maxWaitMs: this.maxWaitMs,
      retryAfterSeconds: admission.retryAfterSeconds,
      ...(admission.overCap ? { maxPending: this.maxPending } : {}),
    });
  }

  /**
   * Queues `job` as a job of `kind`. Rejects at once with ServerBusyError when it is not admitted, with
   * ClientGoneError when `signal` is (or becomes) aborted before the job's result is handed over.
   */
  run<T>(kind: JobKind, job: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new ClientGoneError(`${kind} request`));
    try {
      this.assertAdmits(kind);
    } catch (refusal) {
      return Promise.reject(refusal);
    }
    return new Promise<T>((resolve, reject) => {
      const queued: QueuedJob = {
        kind,
        job,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
      };
      if (signal) {
        queued.onAbort = () => {
          const at = this.waiting.indexOf(queued);
          if (at < 0) return; // running: dropped when it finishes
          this.waiting.splice(at, 1);
          reject(new ClientGoneError(`${kind} request`));
        };
        signal.addEventListener('abort', queued.onAbort, { once: true });
      }
      this.waiting.push(queued);
      this.startNext();
    });
  }

  /**
   * Starts the next job after one turn of the event loop: connections that closed meanwhile are seen first, so
   * a request whose client left while the model was busy (its close still unread behind a long synchronous
   * step) is dropped instead of run.
   */
  private startNext(): void {
    if (this.running || this.starting || this.waiting.length === 0) return;
    this.starting = true;
    setImmediate(() => {
      this.starting = false;
      this.startNow();
    });
  }

  private startNow(): void {
    if (this.running) return;
    const next = this.waiting.shift();
    if (!next) return;
    const startedAt = this.now();
    this.running = { kind: next.kind, startedAt };
    const finish = (outcome: { value?: unknown; error?: unknown; failed: boolean }) => {
      this.durations.record(next.kind, this.now() - startedAt);
      this.running = undefined;
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      if (next.signal?.aborted) next.reject(new ClientGoneError(`${next.kind} request`));
      else if (outcome.failed) next.reject(outcome.error);
      else next.resolve(outcome.value);
      this.startNext();
    };
    Promise.resolve()
      .then(next.job)
      .then(
        (value) => finish({ value, failed: false }),
        (error: unknown) => finish({ error, failed: true }),
      );
  }
}
