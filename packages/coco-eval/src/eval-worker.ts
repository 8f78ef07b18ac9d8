// Worker thread: evaluates chunks of (image, category) pairs and writes into the shared pair table.
import { parentPort, workerData } from 'node:worker_threads';
import { TasamError } from '@tasam/errors';
import { evaluatePair } from './evaluate-pair';
import { createMatchBuffers } from './match-image';
import { type PackedChunk, unpackChunk } from './packed-chunk';
import type { EvalSettings } from './pair-input';
import type { WorkerReply } from './worker-pool';

const settings = workerData.settings as EvalSettings;
const flags = new Uint8Array(workerData.flags as SharedArrayBuffer);
const bestIou = new Float64Array(workerData.bestIou as SharedArrayBuffer);
let buffers = createMatchBuffers(settings.iouThrs.length, 128, 64);

parentPort!.on('message', (chunk: PackedChunk) => {
  let reply: WorkerReply;
  try {
    const { inputs, flagsOffsets, bestIouOffsets } = unpackChunk(chunk);
    for (let i = 0; i < inputs.length; i++) {
      buffers = evaluatePair(
        inputs[i],
        settings,
        { flags, flagsOffset: flagsOffsets[i], bestIou, bestIouOffset: bestIouOffsets[i] },
        buffers,
      );
    }
    reply = { id: chunk.id, done: inputs.length };
  } catch (error) {
    const e = error as Error & { input?: string; problem?: string };
    const typed =
      TasamError.isInstance(error) && typeof e.input === 'string' && typeof e.problem === 'string';
    reply = {
      id: chunk.id,
      error: {
        message: e.message,
        stack: e.stack,
        ...(typed ? { source: e.input, problem: e.problem } : {}),
      },
    };
  }
  parentPort!.postMessage(reply);
});
