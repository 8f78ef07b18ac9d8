import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { DETECTOR_TFJS_BACKEND } from './backend-name';
import { DetectorBackendError } from './errors';

export { DETECTOR_TFJS_BACKEND };

/**
 * Makes wasm tfjs' active backend. tfjs has one global engine: when nothing chose a backend yet this picks
 * wasm; when another package chose a different one (e.g. cpu), this switches the engine to wasm (tensors
 * created on the other backend stay readable: tfjs moves their data on use). The pure-JS cpu backend runs the
 * detector at 16-23 s an image, so it is never used silently: if wasm cannot start, DetectorBackendError.
 * In Node the wasm backend finds its .wasm binaries next to its own files; nothing is fetched.
 */
export async function ensureWasmBackend(): Promise<void> {
  const active = tf.engine().backendName as string | undefined;
  if (active !== DETECTOR_TFJS_BACKEND) {
    let ok = false;
    let cause: unknown;
    try {
      ok = await tf.setBackend(DETECTOR_TFJS_BACKEND);
    } catch (error) {
      cause = error;
    }
    if (!ok || tf.engine().backendName !== DETECTOR_TFJS_BACKEND) {
      throw new DetectorBackendError(active, { cause });
    }
  }
  await tf.ready();
}
