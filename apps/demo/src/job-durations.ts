/**
 * What a job on the shared SAM sessions is: `encode` (an upload's MobileSAM encoder run), `prompt` (points or
 * a box: one trunk run and its heads), `automatic` (the point grid, no task), `task` (automatic mode with a
 * task: the detector's boxes or the task scorer's grid). Their durations differ by two orders of magnitude, so
 * each kind is measured apart. A job is timed on the server's thread from its start to its end, so with the
 * model worker its time includes the round trip (posting the call, the worker's run, reading the reply).
 */
export type JobKind = 'encode' | 'prompt' | 'automatic' | 'task';

export const JOB_KINDS: readonly JobKind[] = ['encode', 'prompt', 'automatic', 'task'];

/**
 * What a job of each kind is assumed to take before one has been measured: on the side of slow (a loaded
 * 2-core machine; the first runs of a fresh server are the slowest), so a cold server does not promise more
 * than it can keep. A burst of requests on a cold server is admitted on these alone.
 */
export const DEFAULT_JOB_PRIORS_MS: Readonly<Record<JobKind, number>> = {
  encode: 4_000,
  prompt: 1_500,
  automatic: 15_000,
  task: 15_000,
};

/** Weight of the newest measurement: about the last 5-10 jobs of a kind count. */
export const DEFAULT_SMOOTHING = 0.2;

/** How many of a kind's latest measurements its recent maximum (the admission's planning time) looks at. */
export const DEFAULT_RECENT_WINDOW = 10;

/** Before a kind's spread is measured, its standard deviation is taken as this fraction of its mean. */
const PRIOR_RELATIVE_DEVIATION = 0.5;

/**
 * Expected job durations per kind: an exponentially weighted moving mean and variance of the measured
 * durations, starting from a prior. The first measurement replaces the prior (a prior is a guess, a measurement
 * is not); each later one moves the mean by `smoothing` of the difference, so a slow patch (another process
 * taking the cores) shows within a few jobs and one outlier does not dominate. The variance (West's
 * exponentially weighted update) says how far a queue's total may stray from the sum of the means.
 */
export class JobDurations {
  private readonly stats = new Map<JobKind, { mean: number; variance: number; count: number }>();
  /** The latest `recentWindow` measurements per kind, oldest first. */
  private readonly recent = new Map<JobKind, number[]>();
  private readonly priors: Readonly<Record<JobKind, number>>;

  constructor(
    priors: Partial<Record<JobKind, number>> = {},
    readonly smoothing = DEFAULT_SMOOTHING,
    readonly recentWindow = DEFAULT_RECENT_WINDOW,
  ) {
    this.priors = { ...DEFAULT_JOB_PRIORS_MS, ...priors };
    if (!(smoothing > 0 && smoothing <= 1)) throw new RangeError(`smoothing ${smoothing}: expected (0, 1]`);
    if (!(Number.isInteger(recentWindow) && recentWindow >= 1)) {
      throw new RangeError(`recent window ${recentWindow}: expected a whole number of jobs, at least 1`);
    }
  }

  /**
   * The longest of this kind's last `recentWindow` measured durations (its prior before the first), in ms: a
   * conservative time for a job of this kind, for promises that must hold (the mean is exceeded by about half
   * the jobs; this by about one in `recentWindow` while job times are steady, and it follows a slow spell at
   * once).
   */
  recentMax(kind: JobKind): number {
    const recent = this.recent.get(kind);
    return recent && recent.length > 0 ? Math.max(...recent) : this.priors[kind];
  }

  /** The expected duration of the next job of this kind, in ms. */
  expected(kind: JobKind): number {
    return this.stats.get(kind)?.mean ?? this.priors[kind];
  }

  /** The variance of a job's duration around `expected`, in ms². */
  variance(kind: JobKind): number {
    const stats = this.stats.get(kind);
    // One measurement says nothing about the spread: keep the prior's relative deviation until a second.
    if (!stats || stats.count < 2) return (PRIOR_RELATIVE_DEVIATION * this.expected(kind)) ** 2;
    return stats.variance;
  }

  /** Jobs of this kind measured so far. */
  measured(kind: JobKind): number {
    return this.stats.get(kind)?.count ?? 0;
  }

  /**
   * The mean a job of this kind would have if one now `elapsedMs` into its run ended this instant: for a
   * running job that has overrun the mean, the slowdown it shows before it is over.
   */
  expectedIfSlower(kind: JobKind, elapsedMs: number): number {
    const mean = this.expected(kind);
    return elapsedMs > mean ? mean + this.smoothing * (elapsedMs - mean) : mean;
  }

  /** Records one job's duration (ms); negative or non-finite values (a clock gone wrong) are ignored. */
  record(kind: JobKind, durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return;
    const recent = this.recent.get(kind) ?? [];
    recent.push(durationMs);
    if (recent.length > this.recentWindow) recent.shift();
    this.recent.set(kind, recent);
    const stats = this.stats.get(kind);
    if (!stats) {
      this.stats.set(kind, { mean: durationMs, variance: 0, count: 1 });
      return;
    }
    const difference = durationMs - stats.mean;
    const increment = this.smoothing * difference;
    stats.mean += increment;
    stats.variance = (1 - this.smoothing) * (stats.variance + difference * increment);
    stats.count++;
  }

  /** Every kind's current expectation, rounded to ms (for /api/health). */
  snapshot(): Record<JobKind, number> {
    return Object.fromEntries(JOB_KINDS.map((kind) => [kind, Math.round(this.expected(kind))])) as Record<
      JobKind,
      number
    >;
  }
}
