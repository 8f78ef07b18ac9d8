import { EventEmitter } from 'node:events';
import { Command } from 'commander';
import { captureIO } from '../test/capture-io';
import { InterruptedError } from './errors/interrupted-error';
import { ExitCode } from './exit-codes';
import { Interrupt, withInterrupt } from './interrupt';
import { runCli } from './program';

describe('Interrupt', () => {
  it('asks to stop on the first SIGINT, forces on the second', () => {
    const io = captureIO();
    const signals = new EventEmitter();
    const forced: number[] = [];
    const interrupt = Interrupt.install(io, { signals, forceExit: (code) => forced.push(code) });
    const heard: string[] = [];
    interrupt.onRequest((signal) => heard.push(signal));
    expect(interrupt.requested).toBe(false);
    expect(interrupt.exitCode).toBe(ExitCode.ok);
    expect(() => interrupt.throwIfRequested()).not.toThrow();

    signals.emit('SIGINT', 'SIGINT');
    expect(interrupt.requested).toBe(true);
    expect(interrupt.exitCode).toBe(ExitCode.interrupted);
    expect(heard).toEqual(['SIGINT']);
    expect(forced).toEqual([]);
    expect(io.err()).toContain('finishing the current step, then stopping (press Ctrl-C again to force)');

    signals.emit('SIGINT', 'SIGINT');
    expect(forced).toEqual([130]);
    expect(heard).toEqual(['SIGINT']);
    interrupt.dispose();
  });

  it('throws InterruptedError carrying the exit code between steps', () => {
    const signals = new EventEmitter();
    const interrupt = Interrupt.install(captureIO(), { signals, forceExit: () => {} });
    signals.emit('SIGTERM', 'SIGTERM');
    let thrown: unknown;
    try {
      interrupt.throwIfRequested('after 12 of 40 images');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InterruptedError);
    expect((thrown as InterruptedError).code).toBe('INTERRUPTED');
    expect((thrown as InterruptedError).exitCode).toBe(ExitCode.terminated);
    expect((thrown as InterruptedError).message).toBe(
      'interrupted by SIGTERM; stopped after 12 of 40 images',
    );
    interrupt.dispose();
  });

  it('removes its listeners when disposed, also when the work throws', async () => {
    const signals = new EventEmitter();
    await expect(
      withInterrupt(
        captureIO(),
        async () => {
          expect(signals.listenerCount('SIGINT')).toBe(1);
          expect(signals.listenerCount('SIGTERM')).toBe(1);
          throw new Error('work failed');
        },
        { signals },
      ),
    ).rejects.toThrow('work failed');
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('lets a loop finish its current step and stop', async () => {
    const signals = new EventEmitter();
    const done: number[] = [];
    const result = withInterrupt(
      captureIO(),
      async (interrupt) => {
        for (let step = 0; step < 100; step++) {
          interrupt.throwIfRequested(`after ${step} steps`);
          await new Promise((resolve) => setImmediate(resolve));
          if (step === 2) signals.emit('SIGINT', 'SIGINT'); // arrives mid-step
          done.push(step);
        }
      },
      { signals },
    );
    await expect(result).rejects.toThrow('interrupted by SIGINT; stopped after 3 steps');
    expect(done).toEqual([0, 1, 2]);
  });
});

describe('runCli and InterruptedError', () => {
  it('maps an interrupted command to exit 130 with a one-line message', async () => {
    const io = captureIO();
    const signals = new EventEmitter();
    const steps: number[] = [];
    const long = () =>
      new Command('long').action(() =>
        withInterrupt(
          io,
          async (interrupt) => {
            for (let step = 0; step < 5; step++) {
              interrupt.throwIfRequested(`after ${step} of 5 steps`);
              steps.push(step);
              if (step === 1) signals.emit('SIGINT', 'SIGINT');
            }
          },
          { signals },
        ),
      );
    expect(await runCli(['long'], io, [long])).toBe(130);
    expect(steps).toEqual([0, 1]);
    expect(io.err()).toContain('tasam: interrupted by SIGINT; stopped after 2 of 5 steps\n');
    expect(io.out()).toBe('');
  });
});
