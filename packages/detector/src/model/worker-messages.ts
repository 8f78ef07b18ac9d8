import type * as tf from '@tensorflow/tfjs-core';
import type { Detection, ShippedModelName } from '../types';

/** What a model worker thread starts with (`workerData`). */
export interface ModelWorkerData {
  name: ShippedModelName;
  modelDir: string;
}

/** The first message to a model worker: the model's files, read and checked, to build the model from. */
export interface BuildRequest {
  kind: 'build';
  artifacts: tf.io.ModelArtifacts;
}

/** One pass asked of a model worker (after its `ready`). */
export interface PassRequest {
  kind: 'pass';
  id: number;
  image: { data: Uint8Array; width: number; height: number };
  mirrored: boolean;
  scoreThreshold: number;
  /** undefined: all categories. */
  categoryIds: number[] | undefined;
}

/** A failure inside the worker, as it crosses the thread boundary. */
export interface WorkerFailure {
  /** DetectorModelLoadError's problem when the model's graph was at fault, else undefined. */
  modelProblem?: string;
  message: string;
}

/** What a model worker posts: once `ready` (or a load failure) after its build request, then one reply a pass. */
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'load-failed'; failure: WorkerFailure }
  | { kind: 'pass'; id: number; detections: Detection[] }
  | { kind: 'pass-failed'; id: number; failure: WorkerFailure };
