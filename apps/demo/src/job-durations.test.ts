import { DEFAULT_JOB_PRIORS_MS, JobDurations } from './job-durations';

describe('JobDurations', () => {
  it('starts from the priors, replaces a prior with the first measurement, then moves by the smoothing', () => {
    const durations = new JobDurations({ prompt: 300 }, 0.25);
    expect(durations.expected('prompt')).toBe(300);
    expect(durations.expected('encode')).toBe(DEFAULT_JOB_PRIORS_MS.encode);
    durations.record('prompt', 100);
    expect(durations.expected('prompt')).toBe(100);
    durations.record('prompt', 500);
    expect(durations.expected('prompt')).toBe(200);
    expect(durations.measured('prompt')).toBe(2);
    expect(durations.measured('encode')).toBe(0);
  });

  it('measures the spread: half the mean until two runs are measured, then a moving variance', () => {
    const durations = new JobDurations({ encode: 2000 }, 0.5);
    expect(durations.variance('encode')).toBe(1000 ** 2);
    durations.record('encode', 1000);
    expect(durations.variance('encode')).toBe(500 ** 2);
    durations.record('encode', 3000);
    // mean 1000 + 0.5 x 2000 = 2000; variance 0.5 x (0 + 2000 x 1000) = 1 000 000.
    expect(durations.expected('encode')).toBe(2000);
    expect(durations.variance('encode')).toBe(1_000_000);
    // A job 4000 ms into a 2000 ms mean: the mean it would leave behind.
    expect(durations.expectedIfSlower('encode', 4000)).toBe(3000);
    expect(durations.expectedIfSlower('encode', 1500)).toBe(2000);
  });

  it('ignores impossible measurements and refuses a useless smoothing', () => {
    const durations = new JobDurations();
    durations.record('encode', Number.NaN);
    durations.record('encode', -5);
    expect(durations.measured('encode')).toBe(0);
    expect(durations.snapshot()).toEqual(DEFAULT_JOB_PRIORS_MS);
    expect(() => new JobDurations({}, 0)).toThrow(RangeError);
    expect(() => new JobDurations({}, 1.5)).toThrow(RangeError);
  });

  it('keeps the longest of the last few runs per kind: the prior, then a window of measurements', () => {
    const durations = new JobDurations({ prompt: 1000 }, 0.2, 3);
    expect(durations.recentMax('prompt')).toBe(1000);
    durations.record('prompt', 400);
    expect(durations.recentMax('prompt')).toBe(400);
    for (const ms of [900, 500, 600]) durations.record('prompt', ms);
    expect(durations.recentMax('prompt')).toBe(900);
    // The 900 ms run falls out of the window of 3.
    durations.record('prompt', 300);
    expect(durations.recentMax('prompt')).toBe(600);
    expect(durations.recentMax('encode')).toBe(4000);
    expect(() => new JobDurations({}, 0.2, 0)).toThrow(RangeError);
  });
});
