// The worker thread of BatchWorker: its own SamRuntime prepares training batches (embedding from the cache,
// trunk run, letterboxed targets) while the training thread computes steps. onnxruntime-node runs a session
// synchronously on the thread that calls it, so on the training thread the trunk could never overlap a step.
import { parentPort, workerData } from 'node:worker_threads';
import { SamRuntime } from '@tasam/sam-runtime';
import { InThreadBatchPreparer } from './batch-preparer';
import {
  type BatchWorkerData,
  type BatchWorkerReply,
  type PrepareMessage,
  toFailure,
} from './batch-worker-messages';

const port = parentPort;
const data = workerData as BatchWorkerData;

async function main(): Promise<void> {
  if (!port) throw new Error('batch-worker-thread.js runs only as a worker thread');
  const post = (reply: BatchWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
  let preparer: InThreadBatchPreparer;
  try {
    const runtime = await SamRuntime.create({ ...data.runtime, log: (line) => post({ kind: 'log', line }) });
    preparer = new InThreadBatchPreparer(runtime);
  } catch (error) {
    post({ kind: 'start-failed', failure: toFailure(error) });
    return;
  }
  // One request at a time, in order: batches are consumed in order and the trunk has the worker's threads.
  let queue = Promise.resolve();
  port.on('message', (message: PrepareMessage) => {
    queue = queue.then(async () => {
      try {
        const batch = await preparer.prepare(message.request);
        const { trunk, targets } = batch;
        // Moved, not copied: the upscaled embeddings are 8 MB a prompt.
        const buffers = new Set<ArrayBuffer>();
        for (const array of [trunk.iouToken, trunk.maskTokens, trunk.upscaled, ...targets])
          buffers.add(array.buffer as ArrayBuffer);
        post({ kind: 'prepared', id: message.id, batch }, [...buffers]);
      } catch (error) {
        post({ kind: 'failed', id: message.id, failure: toFailure(error) });
      }
    });
  });
  post({ kind: 'ready' });
}

void main();
