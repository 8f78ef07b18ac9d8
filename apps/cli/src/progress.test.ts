import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { captureIO } from '../test/capture-io';
import type { CliIO } from './cli-context';
import { Interrupt } from './interrupt';
import {
  formatDuration,
  formatProgressLine,
  formatRate,
  progressMode,
  startProgress,
  timedStep,
} from './progress';

/** A stderr that claims to be a terminal, so cli-progress draws its bar into it. */
function ttyIO(env: NodeJS.ProcessEnv = {}): CliIO & { err: () => string } {
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  const chunks: Buffer[] = [];
  stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stdout: new PassThrough(), stderr, env, err: () => Buffer.concat(chunks).toString('utf8') };
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('progressMode', () => {
  it('draws bars only on a TTY without NO_COLOR, --json or TERM=dumb', () => {
    expect(progressMode(ttyIO())).toBe('bar');
    expect(progressMode(ttyIO({ NO_COLOR: '1' }))).toBe('lines');
    expect(progressMode(ttyIO({ TERM: 'dumb' }))).toBe('lines');
    expect(progressMode(ttyIO(), { json: true })).toBe('lines');
    expect(progressMode(captureIO())).toBe('lines');
    // An empty NO_COLOR does not count (https://no-color.org).
    expect(progressMode(ttyIO({ NO_COLOR: '' }))).toBe('bar');
  });
});

describe('formatting', () => {
  it('formats durations', () => {
    expect(formatDuration(0.84)).toBe('0.8s');
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(168)).toBe('2m48s');
    expect(formatDuration(3900)).toBe('1h05m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('formats rates per second, or seconds per unit for slow work', () => {
    expect(formatRate(50, 2000, 'image')).toBe('25 image/s');
    expect(formatRate(3, 2000, 'image')).toBe('1.5 image/s');
    expect(formatRate(2, 7000, 'step')).toBe('3.5 s/step');
    expect(formatRate(0, 1000, 'step')).toBe('- step/s');
  });

  it('formats a progress line with rate and ETA from the overall rate', () => {
    const line = formatProgressLine({
      label: 'embedding',
      value: 10,
      total: 40,
      elapsedMs: 5000,
      unit: 'image',
    });
    expect(line).toBe('embedding 10/40 25% | 2.0 image/s | ETA 15s');
    const done = formatProgressLine({
      label: 'embedding',
      value: 40,
      total: 40,
      elapsedMs: 20000,
      unit: 'image',
    });
    expect(done).toBe('embedding 40/40 100% | 2.0 image/s | done in 20s');
    expect(
      formatProgressLine(
        { label: 'x', value: 1, total: 2, elapsedMs: 1000, unit: 'u', etaSeconds: 3 },
        '==--',
      ),
    ).toBe('x [==--] 1/2 50% | 1.0 u/s | ETA 3.0s');
  });
});

describe('startProgress in lines mode', () => {
  it('prints at most one line per interval and a final line, only on stderr', () => {
    const io = captureIO();
    const clock = manualClock();
    const progress = startProgress(io, {
      label: 'embedding',
      total: 10,
      unit: 'image',
      lineIntervalMs: 1000,
      now: clock.now,
    });
    expect(progress.mode).toBe('lines');
    for (let i = 0; i < 10; i++) {
      clock.advance(400);
      progress.advance();
    }
    const summary = progress.stop();
    expect(progress.stop()).toBe(summary);
    const lines = io.err().trim().split('\n');
    // 400 ms a unit, one line per 1000 ms: after units 3, 6 and 9 (at 1200, 2400, 3600 ms), then the final one.
    expect(lines).toEqual([
      'embedding 3/10 30% | 2.5 image/s | ETA 2.8s',
      'embedding 6/10 60% | 2.5 image/s | ETA 1.6s',
      'embedding 9/10 90% | 2.5 image/s | ETA 0.4s',
      'embedding 10/10 100% | 2.5 image/s | done in 4.0s',
    ]);
    expect(io.out()).toBe('');
    expect(summary).toEqual({ label: 'embedding', value: 10, total: 10, elapsedMs: 4000, rate: 2.5 });
  });

  it('keeps counting but prints nothing in off mode', () => {
    const io = captureIO();
    const progress = startProgress(io, { label: 'x', total: 3, mode: 'off' });
    progress.advance(2);
    progress.log('hello');
    expect(progress.value).toBe(2);
    expect(progress.stop().value).toBe(2);
    expect(io.err()).toBe('');
  });
});

describe('startProgress in bar mode', () => {
  it('draws a bar with rate and ETA on a TTY stderr, prints log lines above it, and restores the cursor', async () => {
    const io = ttyIO();
    const progress = startProgress(io, { label: 'embedding', total: 4, unit: 'image' });
    expect(progress.mode).toBe('bar');
    progress.advance();
    progress.log('cached: a.jpg');
    await new Promise((resolve) => setTimeout(resolve, 250));
    progress.advance(3);
    const summary = progress.stop();
    const err = io.err();
    expect(err).toContain('\u001b[?25l'); // cursor hidden while drawing
    expect(err).toMatch(/embedding \[=+-*\] 1\/4 25% \| [^|]+ image\/s \| ETA/);
    expect(err).toContain('cached: a.jpg\n');
    expect(err).toMatch(/embedding \[=+\] 4\/4 100% \| [^|]+ \| done in/);
    expect(err.endsWith('\n')).toBe(true);
    expect(err).toContain('\u001b[?25h'); // and shown again
    expect(summary.value).toBe(4);
    expect(progress.stop()).toBe(summary);
  });
});

describe('startProgress with an Interrupt', () => {
  it('prints the stop notice above the bar while it is drawn, and under it again afterwards', async () => {
    const io = ttyIO();
    const signals = new EventEmitter();
    const interrupt = Interrupt.install(io, { signals, forceExit: () => {} });
    const progress = startProgress(io, { label: 'training', total: 3, unit: 'step', interrupt });
    progress.advance();
    signals.emit('SIGINT', 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 250));
    progress.stop();
    interrupt.dispose();
    const err = io.err();
    const notice = err.indexOf('tasam: SIGINT: finishing the current step');
    expect(notice).toBeGreaterThan(0);
    // Redrawn after the notice: the bar is the last thing on screen, the notice stays above it.
    expect(err.lastIndexOf('training [')).toBeGreaterThan(notice);
  });
});

describe('timedStep', () => {
  it('reports how long a step took and passes its result through', async () => {
    const io = captureIO();
    const clock = manualClock();
    const value = await timedStep(
      io,
      'loading SAM',
      () => {
        clock.advance(1234);
        return 42;
      },
      { now: clock.now },
    );
    expect(value).toBe(42);
    expect(io.err()).toBe('loading SAM ... 1.2s\n');
  });

  it('marks a failed step on a terminal and rethrows', async () => {
    const io = ttyIO();
    await expect(
      timedStep(io, 'loading SAM', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(io.err()).toBe('loading SAM ... failed\n');
  });
});
