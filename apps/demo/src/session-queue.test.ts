import { TasamError } from '@tasam/errors';
import { ModelRestartingError } from './errors/model-restarting-error';
import type { ServerBusyError } from './errors/server-busy-error';
import { JobDurations } from './job-durations';
import { SessionQueue } from './session-queue';

/** A job the test finishes by hand, at a time the test's clock says. */
function gate<T = string>(value?: T) {
  let release!: () => void;
  let fail!: (error: Error) => void;
  let started = false;
  const done = new Promise<T>((resolve, reject) => {
    release = () => resolve(value as T);
    fail = reject;
  });
  return {
    job: () => {
      started = true;
      return done;
    },
    release,
    fail,
    get started() {
      return started;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A queue on a clock the test moves: no test here depends on how fast the machine is. */
function queueOnClock(
  options: {
    maxWaitMs?: number;
    maxPending?: number;
    deviations?: number;
    reserveMs?: () => number;
    recheckMs?: number;
  } = {},
) {
  const clock = { ms: 0 };
  const durations = new JobDurations({ encode: 1000, prompt: 100, automatic: 5000, task: 5000 });
  // On the means alone unless a test asks for a margin: the arithmetic stays readable.
  const queue = new SessionQueue({ deviations: 0, ...options, durations, now: () => clock.ms });
  return { queue, clock, durations };
}

async function refusal(promise: Promise<unknown>): Promise<ServerBusyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!TasamError.hasCode(error, 'DEMO_BUSY')) throw new Error(`expected DEMO_BUSY, got ${String(error)}`);
  return error as ServerBusyError;
}

describe('SessionQueue', () => {
  it('runs overlapping jobs one at a time in arrival order', async () => {
    const { queue } = queueOnClock();
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string, ticks: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      for (let i = 0; i < ticks; i++) await settle();
      events.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([
      queue.run('prompt', job('a', 5)),
      queue.run('prompt', job('b', 1)),
      queue.run('prompt', job('c', 2)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps serving after a job fails', async () => {
    const { queue } = queueOnClock();
    const failing = queue.run('prompt', async () => {
      throw new Error('onnx exploded');
    });
    const next = queue.run('prompt', async () => 42);
    await expect(failing).rejects.toThrow('onnx exploded');
    await expect(next).resolves.toBe(42);
    expect(queue.size).toBe(0);
  });

  it('measures failed jobs, but not calls the model refused while its worker restarts', async () => {
    const { queue, clock, durations } = queueOnClock();
    const failing = gate();
    const failed = queue.run('encode', failing.job);
    await settle();
    clock.ms += 3000;
    failing.fail(new Error('onnx exploded'));
    await expect(failed).rejects.toThrow('onnx exploded');
    expect(durations.measured('encode')).toBe(1);
    await expect(
      queue.run('encode', async () => {
        throw new ModelRestartingError(5);
      }),
    ).rejects.toMatchObject({ code: 'DEMO_MODEL_RESTARTING' });
    expect(durations.measured('encode')).toBe(1);
    expect(durations.expected('encode')).toBe(3000);
  });

  it('admits by expected time: the queue ahead plus the job itself must fit the bound', async () => {
    const { queue, clock } = queueOnClock({ maxWaitMs: 2500 });
    const encoding = gate();
    const first = queue.run('encode', encoding.job);
    await settle();
    // Running: 1000 ms expected, none elapsed. A second encode would be answered at ~2000 ms: admitted.
    expect(queue.admission('encode')).toMatchObject({ admitted: true, expectedMs: 2000, drainMs: 1000 });
    const second = queue.run('encode', gate().job);
    // Now 2000 ms ahead: another encode (~3000 ms) is refused, a prompt (~2100 ms) is not.
    expect(queue.admission('encode')).toMatchObject({ admitted: false, expectedMs: 3000 });
    const refused = await refusal(queue.run('encode', async () => 'never'));
    expect(refused.retryAfterSeconds).toBe(2);
    expect(refused.message).toMatch(
      /would answer this encode request in ~3\.0 s \(2 requests queued\), over the 2\.5 s bound; retry in 2 s/,
    );
    expect(queue.admission('prompt')).toMatchObject({ admitted: true, expectedMs: 2100 });
    // 900 ms into the running encode, only 100 ms of it are left: the third encode fits again.
    clock.ms = 900;
    expect(queue.admission('encode')).toMatchObject({ admitted: true, expectedMs: 2100, drainMs: 1100 });
    // A job that overruns its mean is a slowdown under way: its kind is planned slower (1000 + 0.2 x 4000),
    // and its own remainder counts as nothing, never as negative time.
    clock.ms = 5000;
    expect(queue.expectedDrainMs()).toBe(1800);
    encoding.release();
    await first;
    // The second encode arrived at 0: its 2.5 s deadline has passed, so it is refused, never run late.
    expect((await refusal(second)).details.waitedMs).toBe(5000);
    expect(queue.size).toBe(0);
  });

  it('learns job times from measured runs (moving mean), and Retry-After follows the drain time', async () => {
    const { queue, clock, durations } = queueOnClock({ maxWaitMs: 10_000 });
    for (const ms of [3000, 3000, 3000]) {
      const job = gate();
      const done = queue.run('encode', job.job);
      await settle();
      clock.ms += ms;
      job.release();
      await done;
    }
    // The first measurement replaces the 1000 ms prior; the others agree with it.
    expect(durations.expected('encode')).toBe(3000);
    expect(durations.measured('encode')).toBe(3);
    const held = gate();
    const running = queue.run('encode', held.job);
    await settle();
    const waiting = [queue.run('encode', gate().job), queue.run('encode', gate().job)];
    // 9000 ms ahead: a fourth encode (12 000 ms) is refused; retry when the 9 s have drained.
    const refused = await refusal(queue.run('encode', async () => 'never'));
    expect(refused.retryAfterSeconds).toBe(9);
    expect(refused.details).toMatchObject({
      kind: 'encode',
      pending: 3,
      expectedMs: 12_000,
      maxWaitMs: 10_000,
    });
    // A slower run moves the mean by a fifth of the difference.
    clock.ms += 8000;
    held.release();
    await running;
    expect(durations.expected('encode')).toBe(3000 + 0.2 * (8000 - 3000));
    // The two waiting encodes have waited 8 s and are now planned at 8 s each (the recent maximum): neither
    // could be answered within 10 s of its arrival, so both are shed.
    for (const shed of waiting) expect((await refusal(shed)).details).toMatchObject({ waitedMs: 8000 });
  });

  it("plans each job at its kind's recent maximum or its mean plus the margin, whichever is longer", async () => {
    const { queue, clock, durations } = queueOnClock({ maxWaitMs: 1000, deviations: 1 });
    for (const ms of [100, 300]) {
      const job = gate();
      const done = queue.run('prompt', job.job);
      await settle();
      clock.ms += ms;
      job.release();
      await done;
    }
    // West's update: mean 100 + 0.2 x 200 = 140, variance 0.8 x (200 x 40) = 6400 (sd 80): 220 ms with the
    // margin, but the last runs include one of 300 ms: prompts are planned at 300 ms.
    expect(durations.expected('prompt')).toBe(140);
    expect(durations.variance('prompt')).toBeCloseTo(6400);
    expect(durations.recentMax('prompt')).toBe(300);
    const holding = gate();
    const running = queue.run('prompt', holding.job);
    const waiting = queue.run('prompt', gate().job);
    // A 3rd job: 3 x 140 = 420 ms on the means, 3 x 300 = 900 ms planned: admitted.
    expect(queue.admission('prompt')).toMatchObject({ admitted: true, expectedMs: 420, upperMs: 900 });
    const third = queue.run('prompt', gate().job);
    // A 4th: 560 ms on the means (well inside the bound), but 1200 ms planned: refused.
    expect(queue.admission('prompt')).toMatchObject({ admitted: false, expectedMs: 560, upperMs: 1200 });
    const refused = await refusal(queue.run('prompt', async () => 'never'));
    expect(refused.message).toMatch(
      /in 0\.6 to 1\.2 s \(3 requests queued\), over the 1\.0 s bound; retry in 1 s/,
    );
    // With a wider margin (3 sd: 140 + 240 = 380 ms) the mean's side is the longer.
    const wide = new SessionQueue({ maxWaitMs: 1000, deviations: 3, durations, now: () => clock.ms });
    expect(wide.admission('prompt').upperMs).toBeCloseTo(380);
    holding.release();
    await running;
    void waiting;
    void third;
  });

  it('reads a running job that overruns its mean as a slowdown of its kind', async () => {
    const { queue, clock } = queueOnClock();
    const encoding = gate();
    const running = queue.run('encode', encoding.job);
    void queue.run('encode', gate().job);
    void queue.run('prompt', gate().job);
    await settle();
    expect(queue.expectedDrainMs()).toBe(1000 + 1000 + 100);
    clock.ms = 3000;
    // Encodes are now planned at 1000 + 0.2 x (3000 - 1000) = 1400 ms; prompts keep their 100 ms.
    expect(queue.expectedDrainMs()).toBe(0 + 1400 + 100);
    encoding.release();
    await running;
  });

  it('admits any job on an idle model, even one longer than the bound', async () => {
    const { queue } = queueOnClock({ maxWaitMs: 1000 });
    expect(queue.admission('automatic')).toMatchObject({ admitted: true, expectedMs: 5000 });
    const grid = gate('masks');
    const result = queue.run('automatic', grid.job);
    expect(queue.admission('prompt').admitted).toBe(false);
    grid.release();
    await expect(result).resolves.toBe('masks');
  });

  it('refuses beyond the hard cap on pending jobs whatever their times', async () => {
    const { queue } = queueOnClock({ maxWaitMs: 1_000_000, maxPending: 2 });
    const first = gate();
    const running = queue.run('prompt', first.job);
    const second = queue.run('prompt', async () => 'second');
    const refused = await refusal(queue.run('prompt', async () => 'third'));
    expect(refused.message).toMatch(/2 requests are already queued for the model \(at most 2\)/);
    first.release();
    await running;
    await expect(second).resolves.toBe('second');
    await expect(queue.run('prompt', async () => 'later')).resolves.toBe('later');
  });

  it('removes a waiting job whose client has gone: it never runs', async () => {
    const { queue } = queueOnClock();
    const holding = gate();
    const running = queue.run('encode', holding.job);
    await settle();
    const client = new AbortController();
    let ran = false;
    const abandoned = queue.run(
      'encode',
      async () => {
        ran = true;
        return 'unused';
      },
      { signal: client.signal },
    );
    const after = queue.run('prompt', async () => 'after');
    expect(queue.size).toBe(3);
    expect(queue.expectedDrainMs()).toBe(2100);
    client.abort();
    await expect(abandoned).rejects.toMatchObject({ code: 'DEMO_CLIENT_GONE' });
    expect(queue.size).toBe(2);
    expect(queue.expectedDrainMs()).toBe(1100);
    holding.release();
    await running;
    await expect(after).resolves.toBe('after');
    expect(ran).toBe(false);
    // Already gone before it was queued: refused at once, nothing queued.
    await expect(queue.run('prompt', async () => 'x', { signal: client.signal })).rejects.toMatchObject({
      code: 'DEMO_CLIENT_GONE',
    });
    expect(queue.size).toBe(0);
  });

  it('lets a running job finish when its client goes, drops its result, then runs the next', async () => {
    const { queue, clock, durations } = queueOnClock();
    const client = new AbortController();
    const encoding = gate('embedding');
    const abandoned = queue.run('encode', encoding.job, { signal: client.signal });
    const next = queue.run('prompt', async () => 'next');
    await settle();
    expect(encoding.started).toBe(true);
    client.abort();
    expect(queue.size).toBe(2);
    clock.ms = 1500;
    encoding.release();
    await expect(abandoned).rejects.toMatchObject({ code: 'DEMO_CLIENT_GONE' });
    await expect(next).resolves.toBe('next');
    // It did run: its time still counts.
    expect(durations.expected('encode')).toBe(1500);
  });

  it('sheds a job at the front of the queue that can no longer finish by its deadline, instead of running it late', async () => {
    const { queue, clock } = queueOnClock({ maxWaitMs: 1000 });
    const holding = gate();
    const running = queue.run('prompt', holding.job);
    let ran = 0;
    const counted = async () => {
      ran++;
      return 'ran';
    };
    // Both arrive at 0 (deadline 1000), planned at 100 + 100 + 100 ms: admitted.
    const first = queue.run('prompt', counted);
    const second = queue.run('prompt', counted);
    await settle();
    // The running prompt takes 500 ms: prompts are now planned at 500 ms (the recent maximum). The first
    // waiting one would end at 1000 ms, just in time; the second at 1500 ms, so it is shed before it runs.
    clock.ms = 500;
    holding.release();
    await running;
    await expect(first).resolves.toBe('ran');
    const shed = await refusal(second);
    expect(shed.details).toMatchObject({ kind: 'prompt', waitedMs: 500, maxWaitMs: 1000 });
    expect(shed.details.upperMs).toBe(1500);
    expect(shed.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(shed.message).toMatch(/has waited 0\.5 s and could no longer be answered within the 1\.0 s bound/);
    expect(ran).toBe(1);
    expect(queue.size).toBe(0);
  });

  it("counts the time before queueing (from the request's arrival) and the reserve for work outside it", async () => {
    let reserve = 0;
    const { queue } = queueOnClock({ maxWaitMs: 1000, reserveMs: () => reserve });
    const holding = gate();
    const running = queue.run('prompt', holding.job);
    // Arrived 750 ms ago (its body read and parsed meanwhile): 750 + 100 + 100 = 950 ms.
    expect(queue.admission('prompt', { arrivedAt: -750 })).toMatchObject({ admitted: true, upperMs: 950 });
    // With 60 ms of event-loop blocking to allow for: 1010 ms, refused.
    reserve = 60;
    expect(queue.admission('prompt', { arrivedAt: -750 })).toMatchObject({ admitted: false, upperMs: 1010 });
    expect(queue.admission('prompt')).toMatchObject({ admitted: true, upperMs: 260 });
    await refusal(queue.run('prompt', async () => 'late', { arrivedAt: -750 }));
    holding.release();
    await running;
  });

  it("gives each session a fair share: one session's backlog does not delay another's job", async () => {
    const { queue } = queueOnClock({ maxWaitMs: 10_000 });
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(name);
      return name;
    };
    const holding = gate();
    const running = queue.run('prompt', holding.job, { owner: 'a' });
    await settle();
    const jobs = [
      queue.run('prompt', job('a1'), { owner: 'a' }),
      queue.run('prompt', job('a2'), { owner: 'a' }),
      queue.run('prompt', job('a3'), { owner: 'a' }),
      queue.run('encode', job('b1'), { owner: 'b' }),
      queue.run('prompt', job('b2'), { owner: 'b' }),
      queue.run('prompt', job('c1'), { owner: 'c' }),
    ];
    // Tags by expected time: a's running prompt 0, so a1 100, a2 200, a3 300; b1 0, then b2 1000 (after b's
    // 1000 ms encode); c1 0. b's upload and c's prompt are served next, not after a's three prompts, and a
    // fourth session's job would wait only for them and the running one.
    expect(queue.admission('prompt', { owner: 'd' }).ahead).toBe(3);
    holding.release();
    await running;
    await Promise.all(jobs);
    expect(order).toEqual(['b1', 'c1', 'a1', 'a2', 'a3', 'b2']);
  });

  it("admits another session's job in its fair place and sheds at once the jobs it pushed past their deadlines", async () => {
    const { queue, durations } = queueOnClock({ maxWaitMs: 1000 });
    durations.record('encode', 500);
    const holding = gate();
    const running = queue.run('prompt', holding.job, { owner: 'a' });
    // Session a fills the bound: the running prompt and 9 waiting, the last planned to end at 1000 ms.
    const waiting = Array.from({ length: 9 }, () => queue.run('prompt', async () => 'a', { owner: 'a' }));
    expect(queue.admission('prompt', { owner: 'a' }).admitted).toBe(false);
    // Session b's upload goes before a's waiting prompts: 100 + 500 ms, admitted. a's prompts now end at
    // 700, 800, ..., 1500 ms: the five that would end after 1000 ms are refused now, not after waiting.
    expect(queue.admission('encode', { owner: 'b' })).toMatchObject({ admitted: true, upperMs: 600 });
    const upload = queue.run('encode', async () => 'embedding', { owner: 'b' });
    const outcomes = await Promise.all(
      waiting.map((job) =>
        Promise.race([
          job.then(
            () => 'ran',
            (error: { code?: string }) => error.code,
          ),
          new Promise((resolve) => setImmediate(() => resolve('waiting'))),
        ]),
      ),
    );
    expect(outcomes).toEqual([...Array(4).fill('waiting'), ...Array(5).fill('DEMO_BUSY')]);
    expect(queue.size).toBe(1 + 4 + 1);
    holding.release();
    await running;
    await expect(upload).resolves.toBe('embedding');
    for (const job of waiting.slice(0, 4)) await expect(job).resolves.toBe('a');
  });

  it('sheds a waiting job while a long job runs, as soon as it could no longer make its deadline', async () => {
    const { queue, clock } = queueOnClock({ maxWaitMs: 2000, recheckMs: 1 });
    const encoding = gate();
    const running = queue.run('encode', encoding.job);
    await settle();
    let outcome = 'waiting';
    const prompt = queue.run('prompt', async () => 'ran');
    prompt.then(
      () => {
        outcome = 'ran';
      },
      (error: { code?: string }) => {
        outcome = error.code ?? 'failed';
      },
    );
    // At 1800 ms the encode has overrun its 1000 ms plan, but the prompt could still end at 1900 ms: it waits
    // (however many rechecks pass).
    clock.ms = 1800;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outcome).toBe('waiting');
    // At 1950 ms it could not end before 2050 ms: refused by the next recheck, the encode still running.
    clock.ms = 1950;
    expect((await refusal(prompt)).details).toMatchObject({ waitedMs: 1950, upperMs: 2050 });
    expect(queue.size).toBe(1);
    encoding.release();
    await running;
  });
});
