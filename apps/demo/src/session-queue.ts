import { performance } from 'node:perf_hooks';
import { TasamError } from '@tasam/errors';
import { ClientGoneError } from './errors/client-gone-error';
import { ServerBusyError } from './errors/server-busy-error';
import { JobDurations, type JobKind } from './job-durations';

export interface SessionQueueOptions {
  /**
   * Admission bound, ms: a job is admitted only when its request is expected to be answered within this time
   * of its arrival (the time it has spent already, the rest of the running job, every job served before it,
   * and its own run). Default 10 000.
   */
  maxWaitMs?: number;
  /** Hard cap on jobs waiting or running, whatever their expected times (memory, not latency). Default 256. */
  maxPending?: number;
  /**
   * Margin for slower jobs, in standard deviations per job: a job is planned at the larger of its kind's recent
   * maximum and its mean plus this many standard deviations. Default 1.
   */
  deviations?: number;
  /** Expected durations per job kind (measured as jobs run); default: a fresh JobDurations with its priors. */
  durations?: JobDurations;
  /**
   * Time a request spends outside the queue that its client still waits for, ms (the server's event loop
   * blocked when the request arrives, so it is seen late): kept free in every job's budget. Default 0.
   */
  reserveMs?: () => number;
  /**
   * While a job runs and others wait, the plan is checked this often (ms, real time): a waiting job that can no
   * longer make its deadline (the running job overran its plan) is refused then, not when the running job ends.
   * Default 200.
   */
  recheckMs?: number;
  /** Milliseconds, monotonic; injectable so tests never depend on the machine's speed. */
  now?: () => number;
}

export const DEFAULT_MAX_WAIT_MS = 10_000;
export const DEFAULT_MAX_PENDING = 256;
export const DEFAULT_ADMISSION_DEVIATIONS = 1;
export const DEFAULT_RECHECK_MS = 200;
/** The owner of jobs queued without one: all of them share one fair share. */
export const ANONYMOUS_OWNER = 'anonymous';

/** Who queues a job, and when its request arrived (the start of its client's wait). */
export interface JobOrigin {
  /** Fair share: jobs are served round-robin by owner in proportion to time (a page session). */
  owner?: string;
  /** When the request arrived, on the queue's clock; default: now. */
  arrivedAt?: number;
}

/** The verdict on a job that would be queued now. */
export interface Admission {
  admitted: boolean;
  /** Expected time from its arrival until the model is done with it, on job means, ms. */
  expectedMs: number;
  /**
   * The same on the conservative plan (each job at its kind's recent maximum or mean plus the margin, and the
   * reserve for work outside the queue): what must fit the bound, ms.
   */
  upperMs: number;
  /** Expected time until everything queued now is done, ms. */
  drainMs: number;
  /** Whole seconds (at least 1) until the queue is expected to have drained. */
  retryAfterSeconds: number;
  /** Jobs waiting or running. */
  pending: number;
  /** Jobs that would be served before it (the running one included). */
  ahead: number;
  /** True when refused by the hard cap rather than the time bound. */
  overCap: boolean;
}

interface QueuedJob {
  kind: JobKind;
  owner: string;
  job: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  arrivedAt: number;
  /**
   * When its client must have its answer: arrival + the bound. Infinite for a job an idle model took although
   * it alone is planned over the bound (a grid slower than the bound would otherwise never run).
   */
  deadline: number;
  /** Start-time fair queueing tag: jobs are served in the order of these (then of arrival). */
  tag: number;
}

/** A job's planned time: on the means, and conservative. */
interface Plan {
  meanMs: number;
  upperMs: number;
}

/**
 * Runs jobs on the shared SAM sessions one at a time. onnxruntime sessions are not safe to drive from
 * overlapping async calls, and two encoder runs at once would only split the same two cores, so requests wait
 * their turn instead of racing. A job that fails rejects only its own caller; the next job runs.
 *
 * Order: start-time fair queueing by owner (a page session). Each job gets a tag, the larger of the tag of the
 * job now running and its owner's previous job's tag plus that job's expected time; jobs run in tag order. One
 * owner alone is served in arrival order; several share the model's time about equally, so one session's burst
 * of prompts cannot starve another's upload.
 *
 * Admission is by time, and every promise is kept or withdrawn, never broken: each job carries a deadline, its
 * request's arrival plus `maxWaitMs`. A job is planned at a conservative time for its kind (the longest of its
 * last few measured runs, or its mean plus `deviations` standard deviations, whichever is longer), and the
 * reserve for work outside the queue is kept free. A new job is refused with ServerBusyError (503,
 * Retry-After) unless, served in its fair place, it is planned to be answered by its deadline. An idle model
 * admits any job. Admitting a job may push jobs of other owners (those with later tags) past their deadlines,
 * and a slow spell may push any job past its own: such jobs are shed at once with ServerBusyError, whenever the
 * plan is checked (on each admission, every `recheckMs` while a job runs, and before each job starts), and at
 * the latest at the front of the queue
 * when the job could no longer finish in time. Shedding there is a refusal, late but answered at once; running
 * the job would answer it after its client's bound, which the admission promised it would not.
 *
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
  private readonly reserveMs: () => number;
  /** Waiting jobs in the order they will run (by tag, then arrival). */
  private readonly waiting: QueuedJob[] = [];
  private running?: { kind: JobKind; owner: string; startedAt: number };
  /** The tag of the job last started: the fair queue's virtual time. */
  private virtualTime = 0;
  /** Per owner with jobs pending: the tag its next job would follow (its last job's tag + expected time). */
  private readonly owners = new Map<string, { nextTag: number; pending: number }>();
  /** A start is scheduled for the next turn of the event loop. */
  private starting = false;
  private readonly recheckMs: number;
  /** Checks the plan while a job runs and others wait (see `recheckMs`). */
  private recheck?: NodeJS.Timeout;

  constructor(options: SessionQueueOptions = {}) {
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.deviations = options.deviations ?? DEFAULT_ADMISSION_DEVIATIONS;
    this.durations = options.durations ?? new JobDurations();
    this.now = options.now ?? (() => performance.now());
    this.reserveMs = options.reserveMs ?? (() => 0);
    this.recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
  }

  /** Jobs waiting or running right now. */
  get size(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  /** Expected time until every job queued now is done (on the means): the running job's rest plus each waiting. */
  expectedDrainMs(): number {
    let total = this.remainder().meanMs;
    for (const queued of this.waiting) total += this.planOf(queued.kind).meanMs;
    return total;
  }

  /**
   * A job's planned time. A running job that has overrun its kind's mean is read as a slowdown already under
   * way: jobs of its kind are planned at the mean its overrun would give (JobDurations.expectedIfSlower).
   * Conservative: the longest of the kind's recent runs or the mean plus `deviations` standard deviations.
   */
  private planOf(kind: JobKind): Plan {
    const meanMs =
      this.running?.kind === kind
        ? this.durations.expectedIfSlower(kind, this.now() - this.running.startedAt)
        : this.durations.expected(kind);
    const spread = meanMs + this.deviations * Math.sqrt(this.durations.variance(kind));
    return { meanMs, upperMs: Math.max(meanMs, spread, this.durations.recentMax(kind)) };
  }

  /** The running job's rest (none when idle; never negative: one past its plan may end any moment). */
  private remainder(): Plan {
    if (!this.running) return { meanMs: 0, upperMs: 0 };
    const elapsed = this.now() - this.running.startedAt;
    const plan = this.planOf(this.running.kind);
    return { meanMs: Math.max(0, plan.meanMs - elapsed), upperMs: Math.max(0, plan.upperMs - elapsed) };
  }

  /** The tag a new job of this owner would get. */
  private tagFor(owner: string): number {
    return Math.max(this.virtualTime, this.owners.get(owner)?.nextTag ?? this.virtualTime);
  }

  /** Where a job with this tag goes among the waiting: after every job with a tag no later than it. */
  private placeOf(tag: number): number {
    const at = this.waiting.findIndex((queued) => queued.tag > tag);
    return at < 0 ? this.waiting.length : at;
  }

  /** Would a job of this kind be admitted now? (What `run` checks; exposed for tests and /api/health.) */
  admission(kind: JobKind, origin: JobOrigin = {}): Admission {
    const now = this.now();
    const pending = this.size;
    const waited = Math.max(0, now - (origin.arrivedAt ?? now));
    const place = this.placeOf(this.tagFor(origin.owner ?? ANONYMOUS_OWNER));
    const rest = this.remainder();
    let meanMs = waited + rest.meanMs;
    let upperMs = waited + rest.upperMs + this.reserveMs();
    for (const queued of this.waiting.slice(0, place)) {
      const plan = this.planOf(queued.kind);
      meanMs += plan.meanMs;
      upperMs += plan.upperMs;
    }
    const own = this.planOf(kind);
    meanMs += own.meanMs;
    upperMs += own.upperMs;
    const drainMs = this.expectedDrainMs();
    const overCap = pending >= this.maxPending;
    return {
      admitted: !overCap && (pending === 0 || upperMs <= this.maxWaitMs),
      expectedMs: meanMs,
      upperMs,
      drainMs,
      retryAfterSeconds: retryAfter(drainMs),
      pending,
      ahead: place + (this.running ? 1 : 0),
      overCap,
    };
  }

  /**
   * Throws ServerBusyError unless a job of this kind would be admitted now: lets a route refuse before it
   * spends work (an upload's decoding) on a job the queue would refuse anyway.
   */
  assertAdmits(kind: JobKind, origin: JobOrigin = {}): void {
    const admission = this.admission(kind, origin);
    if (!admission.admitted) throw this.refusal(kind, admission);
  }

  private refusal(kind: JobKind, admission: Admission): ServerBusyError {
    return new ServerBusyError({
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
   * Queues `job` as a job of `kind` for `origin.owner`, its client waiting since `origin.arrivedAt`. Rejects at
   * once with ServerBusyError when it is not admitted, later with ServerBusyError when it is shed (it could no
   * longer be answered in time), and with ClientGoneError when `signal` is (or becomes) aborted before the
   * job's result is handed over.
   */
  run<T>(
    kind: JobKind,
    job: () => Promise<T>,
    options: { signal?: AbortSignal } & JobOrigin = {},
  ): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new ClientGoneError(`${kind} request`));
    const now = this.now();
    const arrivedAt = Math.min(now, options.arrivedAt ?? now);
    const owner = options.owner ?? ANONYMOUS_OWNER;
    const admission = this.admission(kind, { owner, arrivedAt });
    if (!admission.admitted) return Promise.reject(this.refusal(kind, admission));
    return new Promise<T>((resolve, reject) => {
      const tag = this.tagFor(owner);
      const queued: QueuedJob = {
        kind,
        owner,
        job,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        arrivedAt,
        // Admitted by an idle model although planned over the bound: it runs whatever its time.
        deadline: admission.upperMs > this.maxWaitMs ? Number.POSITIVE_INFINITY : arrivedAt + this.maxWaitMs,
        tag,
      };
      const account = this.owners.get(owner) ?? { nextTag: tag, pending: 0 };
      account.nextTag = tag + this.planOf(kind).meanMs;
      account.pending++;
      this.owners.set(owner, account);
      if (signal) {
        queued.onAbort = () => {
          if (!this.withdraw(queued)) return; // running: dropped when it finishes
          reject(new ClientGoneError(`${kind} request`));
        };
        signal.addEventListener('abort', queued.onAbort, { once: true });
      }
      this.waiting.splice(this.placeOf(tag), 0, queued);
      // Jobs of other owners it now precedes may no longer make their deadlines: they are refused now, not
      // after waiting in vain.
      this.shedLate();
      this.startNext();
      this.watchDeadlines();
    });
  }

  /** Takes a waiting job out of the queue; false when it is not waiting (running or gone). */
  private withdraw(queued: QueuedJob): boolean {
    const at = this.waiting.indexOf(queued);
    if (at < 0) return false;
    this.waiting.splice(at, 1);
    if (queued.onAbort) queued.signal?.removeEventListener('abort', queued.onAbort);
    this.release(queued.owner);
    return true;
  }

  /** One of the owner's jobs has left the queue (done, shed or withdrawn). */
  private release(owner: string): void {
    const account = this.owners.get(owner);
    if (!account) return;
    account.pending--;
    if (account.pending <= 0) this.owners.delete(owner);
  }

  /**
   * Sheds every waiting job the plan says can no longer be answered by its deadline: the running job's rest,
   * the conservative times of the jobs before it and its own, and the reserve. A job at the front is shed when
   * its own run would end past its deadline: it is refused (503, Retry-After) instead of answered late.
   */
  private shedLate(): void {
    const now = this.now();
    let finish = now + this.remainder().upperMs + this.reserveMs();
    let finishOnMeans = now + this.remainder().meanMs;
    for (const queued of [...this.waiting]) {
      const plan = this.planOf(queued.kind);
      if (finish + plan.upperMs <= queued.deadline) {
        finish += plan.upperMs;
        finishOnMeans += plan.meanMs;
        continue;
      }
      this.withdraw(queued);
      const drainMs = this.expectedDrainMs();
      queued.reject(
        new ServerBusyError({
          kind: queued.kind,
          pending: this.size,
          expectedMs: finishOnMeans + plan.meanMs - queued.arrivedAt,
          upperMs: finish + plan.upperMs - queued.arrivedAt,
          maxWaitMs: this.maxWaitMs,
          retryAfterSeconds: retryAfter(drainMs),
          waitedMs: now - queued.arrivedAt,
        }),
      );
    }
  }

  /**
   * While a job runs and others wait, rechecks the plan every `recheckMs`: a long job (an upload's encoder run)
   * that overruns its plan would otherwise hold the jobs behind it past their deadlines before they are shed.
   */
  private watchDeadlines(): void {
    if (this.recheck || !this.running || this.waiting.length === 0) return;
    this.recheck = setInterval(() => {
      if (this.running && this.waiting.length > 0) {
        this.shedLate();
        return;
      }
      clearInterval(this.recheck);
      this.recheck = undefined;
    }, this.recheckMs);
    this.recheck.unref();
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
    // The deadline check at the front: a job that can no longer finish in time is refused, not run late.
    this.shedLate();
    const next = this.waiting.shift();
    if (!next) return;
    if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
    this.virtualTime = next.tag;
    const startedAt = this.now();
    this.running = { kind: next.kind, owner: next.owner, startedAt };
    this.watchDeadlines();
    const finish = (outcome: { value?: unknown; error?: unknown; failed: boolean }) => {
      // A call the model refused before running it (its worker restarting) measured nothing about the model.
      if (!(outcome.failed && TasamError.hasCode(outcome.error, 'DEMO_MODEL_RESTARTING'))) {
        this.durations.record(next.kind, this.now() - startedAt);
      }
      this.running = undefined;
      this.release(next.owner);
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

/** Whole seconds (at least 1) for a Retry-After: when the queue is expected to have drained. */
function retryAfter(drainMs: number): number {
  return Math.max(1, Math.ceil(drainMs / 1000));
}
