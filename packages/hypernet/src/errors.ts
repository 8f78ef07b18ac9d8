import { TasamError } from '@tasam/errors';

/** A hypernetwork or training option is out of range. */
export class HypernetConfigError extends TasamError<'HYPERNET_CONFIG'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('HYPERNET_CONFIG', `${input}: ${problem}`, options);
  }
}

/** A checkpoint was made for another text encoder, target list, rank or alpha than the caller uses. */
export class CheckpointMismatchError extends TasamError<'HYPERNET_CHECKPOINT_MISMATCH'> {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly stored: unknown,
    readonly expected: unknown,
  ) {
    super(
      'HYPERNET_CHECKPOINT_MISMATCH',
      `${source}: checkpoint was trained with ${field} ${JSON.stringify(stored)}, but ${JSON.stringify(expected)} was requested`,
    );
  }
}

/** A file is not a readable hypernetwork checkpoint (not safetensors, no config, missing or misshapen tensors). */
export class CheckpointFormatError extends TasamError<'HYPERNET_CHECKPOINT_FORMAT'> {
  constructor(
    readonly source: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('HYPERNET_CHECKPOINT_FORMAT', `${source}: ${problem}`, options);
  }
}

/** `--resume` found no complete checkpoint in the run directory. */
export class CheckpointNotFoundError extends TasamError<'HYPERNET_CHECKPOINT_NOT_FOUND'> {
  constructor(readonly runDir: string) {
    super('HYPERNET_CHECKPOINT_NOT_FOUND', `${runDir}: no complete training checkpoint to resume from`);
  }
}

/** Training input is unusable (no samples, a sample without trunk outputs, mismatched shapes). */
export class TrainingDataError extends TasamError<'HYPERNET_TRAINING_DATA'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('HYPERNET_TRAINING_DATA', `${input}: ${problem}`, options);
  }
}

/**
 * The worker thread that prepares training batches failed: it could not start, it exited, or preparing a batch
 * threw there (`code` and `message` of the error thrown in the worker are kept).
 */
export class BatchWorkerError extends TasamError<'HYPERNET_BATCH_WORKER'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    readonly workerCode?: string,
  ) {
    super('HYPERNET_BATCH_WORKER', `${input}: ${problem}`);
  }
}
