// The model worker: a worker thread that owns the demo's SamEngine (SAM, and in task mode the text encoder,
// hypernetwork and COCO detector). onnxruntime-node and tfjs run a model synchronously on the thread that
// calls it; here that thread is this one, so the server's event loop keeps reading requests meanwhile.
// WorkerSamEngine (worker-sam-engine.ts) starts it and speaks to it (model-worker-messages.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadSamEngine } from './load-sam-engine';
import {
  type EngineCall,
  type EngineReply,
  type ModelWorkerData,
  ownEmbedding,
  serialiseError,
  shareEmbedding,
} from './model-worker-messages';
import type { SamEngine } from './sam-engine';

const port = parentPort;
const data = workerData as ModelWorkerData;

async function main(): Promise<void> {
  if (!port) throw new Error('model-worker.js runs only as a worker thread (WorkerSamEngine starts it)');
  let engine: SamEngine;
  let notices: string[];
  try {
    ({ engine, notices } = await loadSamEngine(data.setup));
  } catch (error) {
    port.postMessage({ kind: 'load-failed', failure: serialiseError(error) } satisfies EngineReply);
    return;
  }
  // One call at a time, in order (the server's queue sends them one at a time anyway).
  let calls = Promise.resolve();
  port.on('message', (call: EngineCall) => {
    calls = calls.then(() => answer(engine, call));
  });
  port.postMessage({
    kind: 'ready',
    model: engine.model,
    taskMode: engine.taskMode,
    notices,
  } satisfies EngineReply);
}

async function answer(engine: SamEngine, call: EngineCall): Promise<void> {
  let reply: EngineReply;
  try {
    reply =
      call.kind === 'embed'
        ? { kind: 'embedded', id: call.id, embedding: shareEmbedding(await engine.embed(call.image)) }
        : {
            kind: 'segmented',
            id: call.id,
            segmentation: await engine.segment(ownEmbedding(call.embedding), call.size, call.request),
          };
  } catch (error) {
    reply = { kind: 'failed', id: call.id, failure: serialiseError(error) };
  }
  try {
    port?.postMessage(reply);
  } catch (error) {
    // A result that cannot be cloned: the call fails, the worker stays.
    port?.postMessage({ kind: 'failed', id: call.id, failure: serialiseError(error) } satisfies EngineReply);
  }
}

void main();
