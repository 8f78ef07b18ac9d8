import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CliIO } from './cli-context';
import { WorkerFailedError } from './errors/worker-failed-error';
import type { Interrupt } from './interrupt';
import { startProgress } from './progress';
import { formatShard, type Shard, subShard } from './shard';
import { type WorkerMessage, workerEnvFlag } from './worker-protocol';

export interface ShardWorkersOptions {
  /** The shard this process owns (the whole list unless run with --shard); workers split it further. */
  shard: Shard;
  workers: number;
  /** The tasam arguments for one worker, e.g. `['embed', dir, '--shard', '5/8', '--json']`. */
  argsFor: (shard: Shard) => string[];
  /** Units of work in `shard`, for the combined progress bar. */
  total: number;
  label: string;
  unit: string;
  json?: boolean;
  interrupt: Interrupt;
  /** The CLI entry point to start; the built `bin.js` beside this module by default. */
  binPath?: string;
}

export interface WorkerOutcome {
  shard: Shard;
  /** Everything the worker wrote on stdout (its --json result). */
  stdout: string;
}

/**
 * Runs `workers` child processes of tasam itself, each on its own sub-shard, and draws one progress bar for
 * all of them. Children report progress over IPC; their stderr lines are shown prefixed with their shard.
 * A stop request (Ctrl-C, SIGTERM) is passed to every child, which finishes its current step. Resolves when
 * all children have exited; throws WorkerFailedError if any failed for another reason than being stopped.
 */
export async function runShardWorkers(io: CliIO, options: ShardWorkersOptions): Promise<WorkerOutcome[]> {
  const bin = options.binPath ?? join(__dirname, 'bin.js');
  const progress = startProgress(io, {
    label: options.label,
    total: options.total,
    unit: options.unit,
    json: options.json,
    interrupt: options.interrupt,
  });
  const reported = new Map<number, number>();
  const children: { shard: Shard; child: ChildProcess; exited: boolean }[] = [];
  const stopChildren = options.interrupt.onRequest((signal) => {
    const message: WorkerMessage = { type: 'tasam:stop', signal };
    for (const entry of children) if (!entry.exited && entry.child.connected) entry.child.send(message);
  });
  try {
    const runs = Array.from({ length: options.workers }, (_, k) => {
      const shard = subShard(options.shard, k, options.workers);
      const child = spawn(process.execPath, [bin, ...options.argsFor(shard)], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...io.env, [workerEnvFlag]: '1' },
      });
      const entry = { shard, child, exited: false };
      children.push(entry);
      let stdout = '';
      let lastLine: string | undefined;
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
      });
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (line.trim() === '') return;
        lastLine = line.replace(/^tasam: /, '');
        progress.log(`[${formatShard(shard)}] ${line}`);
      });
      child.on('message', (message: WorkerMessage) => {
        if (message?.type !== 'tasam:progress') return;
        const before = reported.get(k) ?? 0;
        reported.set(k, message.value);
        if (message.value > before) progress.advance(message.value - before);
      });
      return new Promise<WorkerOutcome & { failure?: { shard: string; exit: string; lastLine?: string } }>(
        (resolve) => {
          child.on('error', (error) => {
            entry.exited = true;
            resolve({ shard, stdout, failure: { shard: formatShard(shard), exit: error.message } });
          });
          child.on('close', (code, signal) => {
            entry.exited = true;
            const stopped = options.interrupt.requested && (code === 130 || code === 143);
            const failed = code !== 0 && !stopped;
            const exit = signal ? `killed by ${signal}` : `exit ${code}`;
            resolve({
              shard,
              stdout,
              failure: failed ? { shard: formatShard(shard), exit, lastLine } : undefined,
            });
          });
        },
      );
    });
    const outcomes = await Promise.all(runs);
    const failures = outcomes.flatMap((outcome) => (outcome.failure ? [outcome.failure] : []));
    if (failures.length > 0) throw new WorkerFailedError(failures);
    return outcomes.map(({ shard, stdout }) => ({ shard, stdout }));
  } finally {
    stopChildren();
    progress.stop();
  }
}
