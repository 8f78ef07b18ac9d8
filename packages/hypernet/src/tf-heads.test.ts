import { randomArray, randomHeadWeights, randomTrunk, smallConfig } from '../test/helpers';
import { Hypernetwork } from './hypernetwork';
import { tf, useBackend, useGradients } from './tf';
import { type BatchLora, TfHeads, toTfTrunk } from './tf-heads';

beforeAll(async () => {
  await useBackend('wasm');
  useGradients();
});

/** Plain-JS reference: y = (W + s·B·A) x + b, ReLU between layers. */
function referenceMlp(
  weights: ReturnType<typeof randomHeadWeights>,
  prefix: string,
  x: Float32Array,
  lora?: { scaling: number; layers: Map<string, { a: Float32Array; b: Float32Array }> },
  rank = 4,
): Float32Array {
  let h = x;
  for (let l = 0; l < 3; l++) {
    const path = `${prefix}.layers.${l}`;
    const layer = weights.layers.get(path);
    if (!layer) throw new Error(path);
    const { inFeatures: n, outFeatures: m } = layer;
    const w = Float64Array.from(layer.weight);
    const ad = lora?.layers.get(path);
    if (ad && lora) {
      for (let o = 0; o < m; o++)
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let r = 0; r < rank; r++) s += ad.b[o * rank + r] * ad.a[r * n + i];
          w[o * n + i] += lora.scaling * s;
        }
    }
    const y = new Float32Array(m);
    for (let o = 0; o < m; o++) {
      let s = layer.bias[o];
      for (let i = 0; i < n; i++) s += w[o * n + i] * h[i];
      y[o] = l < 2 ? Math.max(0, s) : s;
    }
    h = y;
  }
  return h;
}

describe('TfHeads', () => {
  const weights = randomHeadWeights(4);

  it('with an untrained hypernetwork LoRA (B = 0) equal the heads without LoRA exactly', () => {
    const heads = new TfHeads(weights);
    const net = Hypernetwork.initialise(smallConfig(), 11);
    const trunk = randomTrunk(2, 20);
    const [plain, adapted] = tf.tidy(() => {
      const t = toTfTrunk(trunk);
      const generated = net.forward(tf.tensor2d(randomArray(32, 3), [2, 16]));
      const lora: BatchLora = { scaling: 8, layers: generated };
      const p = heads.predict(t);
      const a = heads.predict(t, lora);
      const pl = TfHeads.maskProduct(p.hyperIn, t);
      const al = TfHeads.maskProduct(a.hyperIn, t);
      // Exact equality, element by element (B = 0 makes the LoRA term exactly zero).
      return [
        tf.concat([tf.reshape(p.iou, [-1]), tf.reshape(pl, [-1])]).dataSync(),
        tf.concat([tf.reshape(a.iou, [-1]), tf.reshape(al, [-1])]).dataSync(),
      ];
    }) as unknown as Float32Array[];
    let differing = 0;
    for (let i = 0; i < plain.length; i++) if (plain[i] !== adapted[i]) differing++;
    expect(plain.length).toBe(2 * 4 + 2 * 65536 * 4);
    expect(differing).toBe(0);
    heads.dispose();
    net.dispose();
  });

  it('apply each LoRA as W + scaling·B·A (PEFT layout), per sample', () => {
    const heads = new TfHeads(weights);
    const trunk = randomTrunk(2, 30);
    const layers = new Map<string, { a: Float32Array; b: Float32Array }>();
    const perSample = [0, 1].map((s) => {
      const m = new Map<string, { a: Float32Array; b: Float32Array }>();
      for (const [path, l] of weights.layers) {
        m.set(path, {
          a: randomArray(4 * l.inFeatures, 100 + s, 0.05),
          b: randomArray(l.outFeatures * 4, 200 + s, 0.05),
        });
      }
      return m;
    });
    for (const path of weights.layers.keys()) {
      const [x, y] = perSample.map((m) => m.get(path) as { a: Float32Array; b: Float32Array });
      layers.set(path, { a: Float32Array.from([...x.a, ...y.a]), b: Float32Array.from([...x.b, ...y.b]) });
    }
    const got = tf.tidy(() => {
      const tfLayers = new Map<string, { a: tf.Tensor3D; b: tf.Tensor3D }>();
      for (const [path, { a, b }] of layers) {
        const l = weights.layers.get(path) as { inFeatures: number; outFeatures: number };
        tfLayers.set(path, {
          a: tf.tensor3d(a, [2, 4, l.inFeatures]),
          b: tf.tensor3d(b, [2, l.outFeatures, 4]),
        });
      }
      const out = heads.predict(toTfTrunk(trunk), { scaling: 8, layers: tfLayers });
      return { hyperIn: out.hyperIn.dataSync(), iou: out.iou.dataSync() };
    });
    for (let s = 0; s < 2; s++) {
      const lora = { scaling: 8, layers: perSample[s] };
      const iou = referenceMlp(
        weights,
        'iou_prediction_head',
        trunk.iouToken.subarray(s * 256, (s + 1) * 256),
        lora,
      );
      for (let k = 0; k < 4; k++) expect(got.iou[s * 4 + k]).toBeCloseTo(iou[k], 3);
      for (let m = 0; m < 4; m++) {
        const token = trunk.maskTokens.subarray((s * 4 + m) * 256, (s * 4 + m + 1) * 256);
        const ref = referenceMlp(weights, `output_hypernetworks_mlps.${m}`, token, lora);
        for (let c = 0; c < 32; c++) expect(got.hyperIn[(s * 4 + m) * 32 + c]).toBeCloseTo(ref[c], 3);
      }
    }
    heads.dispose();
  });

  it('computes the mask product and its gradient like the plain matmul', () => {
    const trunk = toTfTrunk(randomTrunk(2, 40));
    const h = tf.tensor3d(randomArray(2 * 4 * 32, 5), [2, 4, 32]);
    const weight = tf.randomNormal([2, 4, 256 * 256], 0, 1, 'float32', 6);
    const f = (useCustom: boolean) => (x: tf.Tensor) =>
      tf.sum(
        tf.mul(
          useCustom
            ? TfHeads.maskProduct(x as tf.Tensor3D, trunk)
            : tf.matMul(x as tf.Tensor3D, trunk.upscaled),
          weight,
        ),
      );
    const { value: v1, grad: g1 } = tf.valueAndGrad(f(true))(h);
    const { value: v2, grad: g2 } = tf.valueAndGrad(f(false))(h);
    expect(v1.dataSync()[0]).toBeCloseTo(v2.dataSync()[0], 0);
    const a = g1.dataSync();
    const b = g2.dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
    expect(worst).toBeLessThan(1e-3);
  });
});
