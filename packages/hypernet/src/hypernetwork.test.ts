import { HEAD_TARGETS } from '@tasam/lora';
import { smallConfig } from '../test/helpers';
import { resolveConfig } from './hypernet-config';
import { Hypernetwork } from './hypernetwork';
import { tf, useBackend } from './tf';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('Hypernetwork', () => {
  it('stays within the 8 M parameter budget at the default size (4 layers, 8 heads, 512-d)', () => {
    const config = resolveConfig({ textEncoderId: 'use-lite', textDim: 512, targets: [...HEAD_TARGETS] });
    expect(config).toMatchObject({ dModel: 512, layers: 4, heads: 8, rank: 4, alpha: 32, dropout: 0.1 });
    const count = Hypernetwork.parameterCount(config);
    // 4 blocks x 1,577,984 + text projection 262,656 + embeddings 4,608 + final LN 1,024 + heads 1,124,496.
    expect(count).toBe(7_704_720);
    expect(count).toBeLessThanOrEqual(8_000_000);
    // Heads are shared by shape: one A head (all in=256) and one B head per out width (256, 32, 4).
    const heads = [...Hypernetwork.parameterShapes(config).keys()].filter(
      (k) => k.startsWith('head_') && k.endsWith('.weight'),
    );
    expect(heads.sort()).toEqual([
      'head_a.256.weight',
      'head_b.256.weight',
      'head_b.32.weight',
      'head_b.4.weight',
    ]);
  });

  it('generates A [tasks, r, in] and B [tasks, out, r] per target, with every B zero at init', () => {
    const config = smallConfig();
    const net = Hypernetwork.initialise(config, 3);
    const out = tf.tidy(() => {
      const lora = net.forward(tf.randomNormal([2, 16], 0, 1, 'float32', 1) as tf.Tensor2D);
      return [...lora].map(([path, { a, b }]) => ({
        path,
        aShape: a.shape,
        bShape: b.shape,
        aAbs: tf.max(tf.abs(a)).dataSync()[0],
        bAbs: tf.max(tf.abs(b)).dataSync()[0],
      }));
    });
    expect(out.map((o) => o.path)).toEqual(HEAD_TARGETS.map((t) => t.path));
    for (const [i, t] of HEAD_TARGETS.entries()) {
      expect(out[i].aShape).toEqual([2, 4, t.inFeatures]);
      expect(out[i].bShape).toEqual([2, t.outFeatures, 4]);
      expect(out[i].aAbs).toBeGreaterThan(0);
      expect(out[i].bAbs).toBe(0);
    }
    net.dispose();
  });

  it('gives different tasks different LoRAs once B is trained away from zero', () => {
    const net = Hypernetwork.initialise(smallConfig(), 5);
    const b = net.params.get('head_b.256.weight') as tf.Variable;
    b.assign(tf.randomNormal(b.shape, 0, 0.02, 'float32', 9));
    const [x, y] = tf.tidy(() => {
      const text = tf.randomNormal([2, 16], 0, 1, 'float32', 2) as tf.Tensor2D;
      const lora = net.forward(text).get('output_hypernetworks_mlps.0.layers.0');
      return tf.unstack(lora?.b as tf.Tensor3D).map((t) => t.dataSync());
    });
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i])))).toBeGreaterThan(1e-4);
    net.dispose();
  });

  it('initialises deterministically from a seed', () => {
    const a = Hypernetwork.initialise(smallConfig(), 7).toArrays();
    const b = Hypernetwork.initialise(smallConfig(), 7).toArrays();
    const c = Hypernetwork.initialise(smallConfig(), 8).toArrays();
    expect(b.get('blocks.0.attn.qkv.weight')).toEqual(a.get('blocks.0.attn.qkv.weight'));
    expect(c.get('blocks.0.attn.qkv.weight')).not.toEqual(a.get('blocks.0.attn.qkv.weight'));
  });

  it('applies dropout only in training, reproducibly per seed', () => {
    const net = Hypernetwork.initialise(smallConfig({ dropout: 0.5 }), 1);
    const a = (seed: number, training: boolean) =>
      tf.tidy(() => {
        const text = tf.ones([1, 16]) as tf.Tensor2D;
        return net
          .forward(text, { training, dropoutSeed: seed })
          .get('iou_prediction_head.layers.0')
          ?.a.dataSync();
      }) as Float32Array;
    expect(a(1, false)).toEqual(a(2, false));
    expect(a(1, true)).toEqual(a(1, true));
    expect(a(1, true)).not.toEqual(a(2, true));
    net.dispose();
  });
});
