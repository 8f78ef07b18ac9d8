import { type CliIO, writeLine } from './cli-context';
import { InterruptedError } from './errors/interrupted-error';
import { ExitCode } from './exit-codes';
import type { SignalSource } from './signal-source';
import { isWorkerProcess, ParentSignals } from './worker-protocol';

export type { SignalSource } from './signal-source';

export interface InterruptOptions {
  signals?: SignalSource;
  /** Called on the second signal; `process.exit` by default. */
  forceExit?: (code: number) => void;
}

const handled: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Cooperative stop for long commands. The first Ctrl-C (or SIGTERM, which batch schedulers send before
 * killing a job) only sets `requested`: the command finishes its current atomic step (one embedding written,
 * one checkpoint saved), then stops and exits 130 (143 for SIGTERM), so caches and checkpoints stay
 * consistent. A second signal exits at once.
 *
 * Work that blocks the event loop (a synchronous compute loop) delays both: signals are handled between
 * event-loop turns, so such loops should yield (await) between steps.
 */
export class Interrupt {
  private received: NodeJS.Signals | undefined;
  private readonly listeners = new Set<(signal: NodeJS.Signals) => void>();
  private readonly signals: SignalSource;
  private readonly forceExit: (code: number) => void;
  private readonly onSignal = (signal: NodeJS.Signals): void => this.handle(signal);
  private disposed = false;
  /** Where the first signal's notice goes; a progress bar routes it above itself. */
  private notify: (line: string) => void;

  private constructor(
    private readonly io: CliIO,
    options: InterruptOptions,
  ) {
    this.signals = options.signals ?? (isWorkerProcess(io.env) ? new ParentSignals() : process);
    this.forceExit = options.forceExit ?? ((code) => process.exit(code));
    // A worker's parent has already told the user; the worker stops silently.
    this.notify = isWorkerProcess(io.env) ? () => {} : (line) => writeLine(io.stderr, `\n${line}`);
    for (const signal of handled) this.signals.on(signal, this.onSignal);
  }

  /** Starts listening for SIGINT and SIGTERM; call `dispose()` when the command ends (or use `withInterrupt`). */
  static install(io: CliIO, options: InterruptOptions = {}): Interrupt {
    return new Interrupt(io, options);
  }

  /** True once a stop was asked for: finish the current step, then stop. */
  get requested(): boolean {
    return this.received !== undefined;
  }

  get signal(): NodeJS.Signals | undefined {
    return this.received;
  }

  /** 130 after SIGINT, 143 after SIGTERM, 0 when nothing was received. */
  get exitCode(): number {
    if (this.received === 'SIGTERM') return ExitCode.terminated;
    return this.received ? ExitCode.interrupted : ExitCode.ok;
  }

  /** Calls `listener` when a stop is first requested (stop a progress bar, tell child processes). */
  onRequest(listener: (signal: NodeJS.Signals) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends the stop notice to `log` (a progress bar's log) until the returned function is called. */
  routeNoticesTo(log: (line: string) => void): () => void {
    const previous = this.notify;
    this.notify = log;
    return () => {
      this.notify = previous;
    };
  }

  /** Throws InterruptedError (exit 130/143 through the runner) if a stop was requested. Call between steps. */
  throwIfRequested(stoppedAt?: string): void {
    if (this.received) throw new InterruptedError(this.received, this.exitCode, stoppedAt);
  }

  /** Stops listening; signals get Node's default behaviour back. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const signal of handled) this.signals.off(signal, this.onSignal);
    this.listeners.clear();
  }

  private handle(signal: NodeJS.Signals): void {
    if (this.received) {
      writeLine(this.io.stderr, `\ntasam: ${signal} again; stopping now`);
      this.forceExit(signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
      return;
    }
    this.received = signal;
    const how = signal === 'SIGINT' ? 'press Ctrl-C again' : 'send it again';
    writeLine(
      this.io.stderr,
      `\ntasam: ${signal}: finishing the current step, then stopping (${how} to force)`,
    );
    for (const listener of this.listeners) listener(signal);
  }
}

/** Runs `work` with an Interrupt installed, and always removes the signal handlers afterwards. */
export async function withInterrupt<T>(
  io: CliIO,
  work: (interrupt: Interrupt) => Promise<T>,
  options: InterruptOptions = {},
): Promise<T> {
  const interrupt = Interrupt.install(io, options);
  try {
    return await work(interrupt);
  } finally {
    interrupt.dispose();
  }
}
