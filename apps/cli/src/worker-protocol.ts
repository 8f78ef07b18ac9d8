import { EventEmitter } from 'node:events';
import type { SignalSource } from './signal-source';

/**
 * The messages between `tasam ... --workers n` and the child processes it starts (over Node's IPC channel).
 * A worker draws no progress bar and ignores terminal signals: it reports progress to its parent, and stops
 * (gracefully, then by force) only when its parent tells it to, so one Ctrl-C is never counted twice.
 */
export type WorkerMessage =
  | { type: 'tasam:progress'; value: number; total: number }
  | { type: 'tasam:stop'; signal: NodeJS.Signals };

/** Set by the parent in each worker's environment. */
export const workerEnvFlag = 'TASAM_WORKER';

export function isWorkerProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[workerEnvFlag] === '1' && typeof process.send === 'function';
}

export function sendToParent(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

const ignore = (): void => {};

/**
 * Signals for an Interrupt inside a worker: `tasam:stop` messages from the parent. OS signals are swallowed
 * while a listener is installed (the parent decides), and a lost parent means stop now.
 */
export class ParentSignals implements SignalSource {
  private readonly emitter = new EventEmitter();
  private readonly onMessage = (message: WorkerMessage): void => {
    if (message?.type === 'tasam:stop') this.emitter.emit(message.signal, message.signal);
  };
  private readonly onDisconnect = (): void => {
    // The parent is gone (killed or forced): two signals in a row force the Interrupt's exit.
    this.emitter.emit('SIGTERM', 'SIGTERM');
    this.emitter.emit('SIGTERM', 'SIGTERM');
  };

  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): this {
    if (this.emitter.listenerCount(event) === 0) process.on(event, ignore);
    if (this.emitter.eventNames().length === 0) {
      process.on('message', this.onMessage);
      process.on('disconnect', this.onDisconnect);
    }
    this.emitter.on(event, listener);
    return this;
  }

  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): this {
    this.emitter.off(event, listener);
    if (this.emitter.listenerCount(event) === 0) process.off(event, ignore);
    if (this.emitter.eventNames().length === 0) {
      process.off('message', this.onMessage);
      process.off('disconnect', this.onDisconnect);
    }
    return this;
  }
}
