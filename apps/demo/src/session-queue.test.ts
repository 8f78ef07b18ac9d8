import { TasamError } from '@tasam/errors';
import { SessionQueue } from './session-queue';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SessionQueue', () => {
  it('runs overlapping jobs one at a time in arrival order', async () => {
    const queue = new SessionQueue();
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string, ms: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      await tick(ms);
      events.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([
      queue.run(job('a', 20)),
      queue.run(job('b', 1)),
      queue.run(job('c', 5)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps serving after a job fails', async () => {
    const queue = new SessionQueue();
    const failing = queue.run(async () => {
      throw new Error('onnx exploded');
    });
    const next = queue.run(async () => 42);
    await expect(failing).rejects.toThrow('onnx exploded');
    await expect(next).resolves.toBe(42);
    expect(queue.size).toBe(0);
  });

  it('refuses new jobs with DEMO_BUSY when the queue is full', async () => {
    const queue = new SessionQueue(2);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = queue.run(() => gate);
    const second = queue.run(async () => 'second');
    const third = queue.run(async () => 'third');
    const refusal = await third.catch((error: unknown) => error);
    expect(TasamError.hasCode(refusal, 'DEMO_BUSY')).toBe(true);
    release();
    await first;
    await expect(second).resolves.toBe('second');
    await expect(queue.run(async () => 'later')).resolves.toBe('later');
  });
});
