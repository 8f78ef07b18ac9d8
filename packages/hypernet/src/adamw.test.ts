import { AdamW, DEFAULT_ADAMW } from './adamw';
import { Rng } from './rng';
import { tf, useBackend } from './tf';

beforeAll(async () => {
  await useBackend('wasm');
});

const SHAPES: Record<string, number[]> = { 'w.weight': [3, 4], 'w.bias': [4] };

function randomArrays(seed: number, std: number): Record<string, Float32Array> {
  const rng = new Rng(seed);
  return Object.fromEntries(
    Object.entries(SHAPES).map(([name, shape]) => [
      name,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * std),
    ]),
  );
}

/** AdamW written out from the paper's update, in float64, as the reference. */
function referenceSteps(
  start: Record<string, Float32Array>,
  gradients: Record<string, Float32Array>[],
  lr: number,
  lrScale: (name: string) => number,
): Record<string, number[]> {
  const { beta1, beta2, epsilon, weightDecay, clipNorm } = DEFAULT_ADAMW;
  const p = Object.fromEntries(Object.entries(start).map(([k, a]) => [k, [...a]]));
  const m = Object.fromEntries(Object.entries(start).map(([k, a]) => [k, a.map(() => 0)]));
  const v = Object.fromEntries(Object.entries(start).map(([k, a]) => [k, a.map(() => 0)]));
  gradients.forEach((grads, t) => {
    const norm = Math.sqrt(Object.values(grads).reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0));
    const scale = norm > clipNorm ? clipNorm / norm : 1;
    for (const name of Object.keys(p)) {
      const rate = lr * lrScale(name);
      const decay = SHAPES[name].length >= 2 ? weightDecay : 0;
      p[name] = p[name].map((x, i) => {
        const g = grads[name][i] * scale;
        m[name][i] = beta1 * m[name][i] + (1 - beta1) * g;
        v[name][i] = beta2 * v[name][i] + (1 - beta2) * g * g;
        const mHat = m[name][i] / (1 - beta1 ** (t + 1));
        const vHat = v[name][i] / (1 - beta2 ** (t + 1));
        return x - rate * (mHat / (Math.sqrt(vHat) + epsilon)) - rate * decay * x;
      });
    }
  });
  return p;
}

function variables(values: Record<string, Float32Array>): Map<string, tf.Variable> {
  return new Map(
    Object.entries(values).map(([name, a]) => [name, tf.variable(tf.tensor(a, SHAPES[name]), true)]),
  );
}

const asTensors = (grads: Record<string, Float32Array>) =>
  Object.fromEntries(Object.entries(grads).map(([n, a]) => [n, tf.tensor(a, SHAPES[n])]));

describe('AdamW', () => {
  const lrScale = (name: string) => (name.endsWith('bias') ? 0.5 : 1);
  // Large gradients (clipped to norm 1) then small ones (not clipped).
  const gradients = [randomArrays(2, 3), randomArrays(3, 0.01), randomArrays(4, 0.02)];

  it('follows the AdamW update with clipping, bias correction, decoupled decay of matrices and lr scales', () => {
    const start = randomArrays(1, 0.5);
    const params = variables(start);
    const optimizer = new AdamW(params);
    const norms = gradients.map((g) => optimizer.apply(asTensors(g), 0.01, lrScale));
    const want = referenceSteps(start, gradients, 0.01, lrScale);
    for (const [name, p] of params) {
      const got = p.dataSync();
      want[name].forEach((w, i) => {
        expect(got[i]).toBeCloseTo(w, 6);
      });
      expect(Math.max(...want[name].map((w, i) => Math.abs(w - start[name][i])))).toBeGreaterThan(1e-3);
    }
    expect(norms[0]).toBeGreaterThan(1);
    expect(norms[1]).toBeLessThan(1);
  });

  it('continues identically from its saved state', () => {
    const start = randomArrays(5, 0.5);
    const straight = variables(start);
    const a = new AdamW(straight);
    for (const g of gradients) a.apply(asTensors(g), 0.01);

    const resumed = variables(start);
    const b = new AdamW(resumed);
    b.apply(asTensors(gradients[0]), 0.01);
    const c = new AdamW(resumed);
    c.loadState(b.step, b.stateArrays());
    for (const g of gradients.slice(1)) c.apply(asTensors(g), 0.01);
    for (const [name, p] of straight)
      expect(Array.from(resumed.get(name)!.dataSync())).toEqual(Array.from(p.dataSync()));
  });

  it('refuses a state of another shape', () => {
    const optimizer = new AdamW(variables(randomArrays(6, 1)));
    expect(() => optimizer.loadState(1, new Map([['m.w.weight', new Float32Array(2)]]))).toThrow(
      /m\.w\.weight/,
    );
  });
});
