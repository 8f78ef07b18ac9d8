import { TasamError } from '@tasam/errors';

/** One or more `--workers` child processes failed; their own messages were printed above. */
export class WorkerFailedError extends TasamError<'WORKER_FAILED'> {
  constructor(readonly failures: { shard: string; exit: string; lastLine?: string }[]) {
    super(
      'WORKER_FAILED',
      `${failures.length} worker${failures.length === 1 ? '' : 's'} failed: ${failures
        .map(
          (failure) =>
            `shard ${failure.shard} (${failure.exit}${failure.lastLine ? `: ${failure.lastLine}` : ''})`,
        )
        .join('; ')}`,
    );
  }
}
