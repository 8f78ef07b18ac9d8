import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createTextEncoder } from '../src';
import reference from './fixtures/use-lite-reference.json';

// When another part of the process (e.g. the hypernetwork) already chose tfjs' cpu backend, the encoder
// keeps it rather than switching the global engine, and the vectors are the same.
describe('use-lite on a backend chosen elsewhere', () => {
  it('runs on the cpu backend and still matches the reference to 2e-5', async () => {
    await tf.setBackend('cpu');
    const encoder = await createTextEncoder({ memoryCacheSize: 0 });
    try {
      const vectors = await encoder.embed(reference.firstValues.map((entry) => entry.text));
      expect(tf.getBackend()).toBe('cpu');
      reference.firstValues.forEach((entry, i) => {
        const worst = Math.max(...entry.values.map((value, j) => Math.abs(vectors[i][j] - value)));
        expect(worst).toBeLessThan(2e-5);
      });
    } finally {
      await encoder.dispose();
    }
  }, 60_000);
});
