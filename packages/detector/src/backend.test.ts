import * as tf from '@tensorflow/tfjs-core';
import { DETECTOR_TFJS_BACKEND, ensureWasmBackend } from './backend';
import { DetectorBackendError } from './errors';

/** A backend with no kernels: it only has to be "active" so the detector must switch away from it. */
class IdleBackend extends tf.KernelBackend {}

// tf.setBackend delegates to the one global engine, so stubbing the engine reaches the code under test (a
// stub on this file's `tf` namespace object would not).
describe('ensureWasmBackend', () => {
  afterEach(() => jest.restoreAllMocks());

  it('picks wasm when no backend was chosen', async () => {
    await ensureWasmBackend();
    expect(tf.getBackend()).toBe(DETECTOR_TFJS_BACKEND);
  }, 120_000);

  it('switches to wasm when another backend (e.g. cpu) is active', async () => {
    tf.registerBackend('idle-test', () => new IdleBackend());
    expect(await tf.setBackend('idle-test')).toBe(true);
    await ensureWasmBackend();
    expect(tf.getBackend()).toBe('wasm');
  }, 120_000);

  it('throws DetectorBackendError instead of falling back when wasm cannot be set', async () => {
    await tf.setBackend('idle-test');
    jest.spyOn(tf.engine(), 'setBackend').mockResolvedValue(false);
    const error = await ensureWasmBackend().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetectorBackendError);
    expect((error as DetectorBackendError).code).toBe('DETECTOR_BACKEND');
    expect((error as DetectorBackendError).activeBackend).toBe('idle-test');
  });

  it('throws DetectorBackendError, with the cause, when starting wasm throws', async () => {
    jest.spyOn(tf.engine(), 'setBackend').mockRejectedValue(new Error('no WebAssembly here'));
    await expect(ensureWasmBackend()).rejects.toThrow(
      /cannot switch tfjs to the wasm backend \(no WebAssembly here\)/,
    );
  });
});
