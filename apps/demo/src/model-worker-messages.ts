import { Rle } from '@tasam/coco-data';
import { TasamError } from '@tasam/errors';
import { DemoRequestError } from './errors/demo-request-error';
import { TaskModeUnavailableError } from './errors/task-mode-unavailable-error';
import { WorkerThrownError } from './errors/worker-thrown-error';
import type { SamEngineSetup } from './load-sam-engine';
import type { SamEmbedding } from './sam-engine';
import type { SegmentRequest } from './segment-request';
import type { EngineSegmentation, HeadsResult, TaskModeStatus } from './segmentation-engine';
import type { RgbPixels } from './uploaded-image';

// The model worker's messages (WorkerSamEngine on the server's thread, model-worker.ts in the worker) and the
// conversions on either side of them: errors to plain data and back, per-image state into shared memory.

/** The worker's `workerData`. */
export interface ModelWorkerData {
  setup: SamEngineSetup;
  /** Anything else the script reads (tests' stand-in workers). */
  extra?: unknown;
}

/** Server thread → worker: one engine call. The server's queue sends one at a time. */
export type EngineCall =
  | { kind: 'embed'; id: number; image: RgbPixels }
  | {
      kind: 'segment';
      id: number;
      embedding: SamEmbedding;
      size: { width: number; height: number };
      request: SegmentRequest;
    };

/** Worker → server thread. */
export type EngineReply =
  | { kind: 'ready'; model: string; taskMode: TaskModeStatus; notices: string[] }
  | { kind: 'load-failed'; failure: SerialisedError }
  | { kind: 'embedded'; id: number; embedding: SamEmbedding }
  | { kind: 'segmented'; id: number; segmentation: EngineSegmentation }
  | { kind: 'failed'; id: number; failure: SerialisedError };

/** An error as plain data, for postMessage. */
export interface SerialisedError {
  name: string;
  message: string;
  /** A TasamError's code; absent for other errors. */
  code?: string;
  /** The error's own data fields (TaskModeUnavailableError's `task` and `reason`, a `retryAfterSeconds`). */
  fields: Record<string, unknown>;
  /** The cause's message, when there is one (for the server's log). */
  cause?: string;
  stack?: string;
}

const STANDARD_FIELDS = new Set(['name', 'message', 'code', 'stack', 'cause']);

/** An error thrown in the worker, as data: its name, code, message and whatever of its fields can be cloned. */
export function serialiseError(error: unknown): SerialisedError {
  if (!(error instanceof Error) && !TasamError.isInstance(error)) {
    return { name: 'Error', message: typeof error === 'string' ? error : describe(error), fields: {} };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (STANDARD_FIELDS.has(key)) continue;
    try {
      fields[key] = structuredClone(value);
    } catch {
      // functions, class instances with private state: not data, left out
    }
  }
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return {
    name: error.name,
    message: error.message,
    ...(TasamError.isInstance(error) ? { code: error.code } : {}),
    fields,
    ...(cause !== undefined ? { cause } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

/**
 * The demo's own errors an engine call may throw, rebuilt as their classes from their fields (so `instanceof`
 * and every field hold on the server's thread as they did in the worker).
 */
const DEMO_ERRORS: Readonly<Record<string, (fields: Record<string, unknown>) => TasamError>> = {
  DEMO_TASK_UNAVAILABLE: (fields) => new TaskModeUnavailableError(String(fields.task), String(fields.reason)),
  DEMO_REQUEST: (fields) => new DemoRequestError(String(fields.input), String(fields.problem)),
};

const STANDARD_ERRORS: Readonly<Record<string, new (message: string) => Error>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
};

/**
 * The error a worker threw, rebuilt on the server's thread with the same name, code, message and fields, so the
 * HTTP layer answers it as it would have answered the original (toHttpError reads the code and the
 * `retryAfterSeconds`/`allow` fields): the demo's errors as their own classes, other tasam errors (another
 * package's) as WorkerThrownError, anything else as a plain Error of the same name (a 500, as before). The
 * stack is the worker's.
 */
export function rebuildError(failure: SerialisedError): Error {
  let error: Error;
  const revived = failure.code !== undefined ? DEMO_ERRORS[failure.code]?.(failure.fields) : undefined;
  if (revived && revived.name === failure.name) {
    error = revived;
  } else if (failure.code !== undefined) {
    error = new WorkerThrownError(failure.name, failure.code, failure.message, failure.fields);
  } else {
    error = new (STANDARD_ERRORS[failure.name] ?? Error)(failure.message);
    if (!(failure.name in STANDARD_ERRORS)) error.name = failure.name;
  }
  // The worker's message, whatever the rebuilt constructor composed.
  error.message = failure.message;
  if (failure.cause !== undefined) Object.defineProperty(error, 'cause', { value: new Error(failure.cause) });
  if (failure.stack) error.stack = failure.stack;
  return error;
}

/**
 * The per-image state in shared memory, for the server's thread to keep: copied once in the worker (off the
 * server's event loop) into SharedArrayBuffers, which postMessage shares instead of copying, both when it is
 * sent back here and each time it is posted back with a segment call. Nothing of it stays in the worker.
 */
export function shareEmbedding(embedding: SamEmbedding): SamEmbedding {
  return {
    tensor: { data: toShared(embedding.tensor.data), dims: [...embedding.tensor.dims] },
    ...(embedding.pixels
      ? { pixels: { ...sizeOf(embedding.pixels), data: toShared(embedding.pixels.data) } }
      : {}),
  };
}

/**
 * A shared embedding made usable for one call in the worker: the tensor is copied (4 MB, ~1 ms, in the worker),
 * since onnxruntime-node reads a tensor's data through its ArrayBuffer and refuses a SharedArrayBuffer. The
 * pixels stay shared: only JavaScript reads them (the detector's input tensor, the colour filter), and a copy of
 * a large image's would cost each call tens of ms.
 */
export function ownEmbedding(embedding: SamEmbedding): SamEmbedding {
  return {
    tensor: { data: embedding.tensor.data.slice(), dims: embedding.tensor.dims },
    ...(embedding.pixels ? { pixels: embedding.pixels } : {}),
  };
}

/** A segmentation as it arrives from the worker (cloning dropped the Rle class), with its Rles rebuilt. */
export function reviveSegmentation(segmentation: EngineSegmentation): EngineSegmentation {
  const heads = (result: HeadsResult | undefined): HeadsResult | undefined =>
    result && {
      ...result,
      instances: result.instances.map((instance) => ({
        ...instance,
        rle: new Rle(instance.rle.h, instance.rle.w, instance.rle.counts),
      })),
    };
  const sam = heads(segmentation.sam);
  const tasam = heads(segmentation.tasam);
  return { ...segmentation, ...(sam ? { sam } : {}), ...(tasam ? { tasam } : {}) };
}

function toShared<T extends Float32Array | Uint8Array>(array: T): T {
  if (isShared(array.buffer)) return array;
  const buffer = new SharedArrayBuffer(array.byteLength);
  // Uint8Array, never the constructor of a subclass (a Buffer's would not take a SharedArrayBuffer as is).
  const shared = array instanceof Float32Array ? new Float32Array(buffer) : new Uint8Array(buffer);
  shared.set(array);
  return shared as T;
}

/** Whether `buffer` is a SharedArrayBuffer (by its tag: it may come from another realm). */
export function isShared(buffer: ArrayBufferLike): boolean {
  return Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]';
}

function sizeOf(pixels: RgbPixels): { width: number; height: number } {
  return { width: pixels.width, height: pixels.height };
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
