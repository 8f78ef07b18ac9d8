import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export { tf };

export type HypernetBackend = 'wasm' | 'cpu';

let gradientsLoaded = false;

/** Swaps the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return tf.transpose(x, perm);
}

/** Sums broadcast leading axes away so a gradient has its input's shape. */
function unbroadcast(grad: tf.Tensor, shape: number[]): tf.Tensor {
  const extra = grad.rank - shape.length;
  const reduced = extra > 0 ? tf.sum(grad, [...Array(extra).keys()]) : grad;
  return tf.reshape(reduced, shape);
}

/**
 * BatchMatMul's shipped gradient passes transpose flags, which the wasm backend runs ~10x slower than an
 * explicit transpose followed by a plain matmul (measured here); this gradient transposes explicitly.
 */
function patchMatMulGradient(): void {
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const g = dy as tf.Tensor;
      const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y);
      if (!transposeA && !transposeB) {
        return {
          a: () => unbroadcast(mm(g, swapLast(b)), a.shape),
          b: () => unbroadcast(mm(swapLast(a), g), b.shape),
        };
      }
      if (!transposeA && transposeB) {
        return { a: () => unbroadcast(mm(g, b), a.shape), b: () => unbroadcast(mm(swapLast(g), a), b.shape) };
      }
      if (transposeA && !transposeB) {
        return { a: () => unbroadcast(mm(b, swapLast(g)), a.shape), b: () => unbroadcast(mm(a, g), b.shape) };
      }
      return {
        a: () => unbroadcast(mm(swapLast(b), swapLast(g)), a.shape),
        b: () => unbroadcast(mm(swapLast(g), swapLast(a)), b.shape),
      };
    },
  });
}

/**
 * Registers tfjs' gradients; call before taking one (training). tfjs-core's node bundle registers none, the
 * union package's bundle does as a side effect of loading; it is loaded here, not at import, because it costs
 * ~0.15 s of every process start and inference needs no gradients. Then BatchMatMul's gradient is replaced.
 */
export function useGradients(): void {
  if (gradientsLoaded) return;
  gradientsLoaded = true;
  require('@tensorflow/tfjs');
  patchMatMulGradient();
}

/**
 * Selects the tfjs backend once per process. wasm (SIMD, XNNPACK) is the default: it runs the hypernetwork's
 * matmuls ~30x faster than the pure-JS cpu backend on this machine (see README, Performance).
 */
export async function useBackend(backend: HypernetBackend = 'wasm'): Promise<HypernetBackend> {
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`tfjs backend ${backend} failed to initialise`);
  }
  await tf.ready();
  return backend;
}
