// A worker thread running one detection model on its own tfjs engine: wasm tfjs runs single-threaded in
// Node, so two models in two threads take about the time of the slower one instead of the sum.
import { parentPort, workerData } from 'node:worker_threads';
import { TasamError } from '@tasam/errors';
import type { DetectorModelLoadError } from '../errors';
import type { DetectorModel } from './detector-model';
import { buildModel } from './model-specs';
import type {
  BuildRequest,
  ModelWorkerData,
  PassRequest,
  WorkerFailure,
  WorkerReply,
} from './worker-messages';

const port = parentPort;
const data = workerData as ModelWorkerData;

function failure(error: unknown): WorkerFailure {
  if (TasamError.hasCode(error, 'DETECTOR_MODEL_LOAD')) {
    return { modelProblem: (error as DetectorModelLoadError).problem, message: error.message };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

async function main(): Promise<void> {
  if (!port) throw new Error('model-worker.js runs only as a worker thread');
  // The thread starts (loading tfjs) while its parent reads and checks the model's files, which then arrive here.
  const { artifacts } = await new Promise<BuildRequest>((resolve) => port.once('message', resolve));
  let model: DetectorModel;
  try {
    model = await buildModel(data.name, artifacts, data.modelDir);
  } catch (error) {
    port.postMessage({ kind: 'load-failed', failure: failure(error) } satisfies WorkerReply);
    return;
  }
  // Requests are run one at a time, in order: the model's engine is single-threaded anyway.
  let queue = Promise.resolve();
  port.on('message', (request: PassRequest) => {
    queue = queue.then(async () => {
      try {
        const detections = await model.run(request.image, request.mirrored, {
          scoreThreshold: request.scoreThreshold,
          categoryIds: request.categoryIds ? new Set(request.categoryIds) : undefined,
        });
        port.postMessage({ kind: 'pass', id: request.id, detections } satisfies WorkerReply);
      } catch (error) {
        port.postMessage({
          kind: 'pass-failed',
          id: request.id,
          failure: failure(error),
        } satisfies WorkerReply);
      }
    });
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

void main();
