import { TasamError } from '@tasam/errors';

/**
 * The model worker thread (WorkerSamEngine) could not answer: it crashed (exited, or threw outside a call)
 * while this call was pending, it could not be restarted after a crash, or the engine was closed. A server
 * fault: 500, logged as an error; the message names no server paths (a failed restart gives the error's code,
 * the full error is its `cause`).
 */
export class ModelWorkerError extends TasamError<'DEMO_MODEL_WORKER'> {
  constructor(
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('DEMO_MODEL_WORKER', `the model worker ${problem}`, options);
  }
}
