import type { SamRuntimeOptions } from '@tasam/sam-runtime';
import type { BatchRequest, PreparedBatch } from './batch-preparer';

/** The worker's SamRuntime options: the caller's, minus what cannot cross a thread (its log function). */
export type WorkerRuntimeOptions = Omit<SamRuntimeOptions, 'log'>;

export interface BatchWorkerData {
  runtime: WorkerRuntimeOptions;
}

export interface PrepareMessage {
  id: number;
  request: BatchRequest;
}

/** An error thrown in the worker, as it crosses back: its code (TasamError) and message. */
export interface WorkerFailure {
  code?: string;
  message: string;
}

export type BatchWorkerReply =
  | { kind: 'ready' }
  | { kind: 'start-failed'; failure: WorkerFailure }
  | { kind: 'log'; line: string }
  | { kind: 'prepared'; id: number; batch: PreparedBatch }
  | { kind: 'failed'; id: number; failure: WorkerFailure };

export function toFailure(error: unknown): WorkerFailure {
  const code = (error as { code?: unknown })?.code;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}
