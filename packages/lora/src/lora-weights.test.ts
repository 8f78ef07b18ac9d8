import { LoraShapeError } from './errors/lora-shape-error';
import { LoraValueError } from './errors/lora-value-error';
import { HEAD_TARGETS } from './lora-target';
import { LoraWeights } from './lora-weights';

const layer = (rank: number, inFeatures: number, outFeatures: number) => ({
  a: new Float32Array(rank * inFeatures).fill(0.5),
  b: new Float32Array(outFeatures * rank).fill(-0.25),
  inFeatures,
  outFeatures,
});

describe('LoraWeights', () => {
  it('holds layers with rank, alpha and scaling alpha/r', () => {
    const w = new LoraWeights({
      rank: 4,
      alpha: 16,
      layers: { 'iou_prediction_head.layers.2': layer(4, 256, 4) },
    });
    expect(w.scaling).toBe(4);
    expect(w.rsLora).toBe(false);
    expect(w.paths).toEqual(['iou_prediction_head.layers.2']);
    expect(w.layers.get('iou_prediction_head.layers.2')).toMatchObject({
      rank: 4,
      inFeatures: 256,
      outFeatures: 4,
    });
  });

  it('uses alpha/sqrt(r) for rsLoRA', () => {
    const w = new LoraWeights({
      rank: 16,
      alpha: 8,
      rsLora: true,
      layers: new Map([['x', layer(16, 3, 2)]]),
    });
    expect(w.scaling).toBe(2);
  });

  it('rejects wrong shapes with an error naming the target', () => {
    const bad = { ...layer(4, 256, 32), a: new Float32Array(4 * 255) };
    expect(
      () => new LoraWeights({ rank: 4, alpha: 4, layers: { 'output_hypernetworks_mlps.1.layers.2': bad } }),
    ).toThrow(
      new LoraShapeError(
        'output_hypernetworks_mlps.1.layers.2',
        'lora_A has 1020 values, expected [4, 256] = 1024',
      ),
    );
    const badB = { ...layer(4, 256, 32), b: new Float32Array(4 * 31) };
    expect(() => new LoraWeights({ rank: 4, alpha: 4, layers: { t: badB } })).toThrow(
      't: lora_B has 124 values, expected [32, 4] = 128',
    );
    expect(
      () => new LoraWeights({ rank: 4, alpha: 4, layers: { t: { ...layer(4, 2, 2), rank: 3 } } }),
    ).toThrow('t: layer rank 3 differs from the adapter rank 4');
    expect(() => new LoraWeights({ rank: 0, alpha: 4, layers: { t: layer(1, 2, 2) } })).toThrow(
      LoraShapeError,
    );
    expect(() => new LoraWeights({ rank: 1.5, alpha: 4, layers: { t: layer(1, 2, 2) } })).toThrow(
      'rank: must be a positive integer, got 1.5',
    );
    expect(
      () => new LoraWeights({ rank: 1, alpha: 4, layers: { t: { ...layer(1, 2, 2), inFeatures: 0 } } }),
    ).toThrow('t: inFeatures must be a positive integer, got 0');
    expect(() => new LoraWeights({ rank: 1, alpha: 4, layers: {} })).toThrow(
      'layers: a LoRA needs at least one layer',
    );
    const plain = { ...layer(1, 2, 2), a: [1, 2] as unknown as Float32Array };
    expect(() => new LoraWeights({ rank: 1, alpha: 1, layers: { t: plain } })).toThrow(
      't: lora_A must be a Float32Array',
    );
  });

  it('rejects non-finite values and alpha', () => {
    const nan = layer(2, 3, 2);
    nan.b[3] = Number.NaN;
    expect(() => new LoraWeights({ rank: 2, alpha: 2, layers: { t: nan } })).toThrow(
      new LoraValueError('t', 'lora_B[3] is NaN'),
    );
    expect(
      () => new LoraWeights({ rank: 2, alpha: Number.POSITIVE_INFINITY, layers: { t: layer(2, 3, 2) } }),
    ).toThrow(LoraValueError);
  });

  it('checks layers against targets', () => {
    const w = LoraWeights.zeros(HEAD_TARGETS.slice(0, 3), { rank: 2 });
    expect(() => w.checkAgainst(HEAD_TARGETS)).not.toThrow();
    expect(() => w.checkAgainst(HEAD_TARGETS.slice(0, 2))).toThrow(
      'output_hypernetworks_mlps.0.layers.2: is not one of the targets',
    );
    const wrong = HEAD_TARGETS.map((t) => ({ ...t, outFeatures: 7 }));
    expect(() => w.checkAgainst(wrong, 'sam.onnx')).toThrow(
      'output_hypernetworks_mlps.0.layers.0: LoRA is 256->256 but sam.onnx has 256->7',
    );
  });

  it('makes zero and seeded random adapters for every target', () => {
    const zero = LoraWeights.zeros(HEAD_TARGETS, { rank: 8 });
    expect(zero.layers.size).toBe(15);
    expect(zero.alpha).toBe(8);
    expect(zero.layers.get('iou_prediction_head.layers.2')!.b.every((v) => v === 0)).toBe(true);
    const r1 = LoraWeights.random(HEAD_TARGETS, { rank: 2, seed: 9, std: 0.1 });
    const r2 = LoraWeights.random(HEAD_TARGETS, { rank: 2, seed: 9, std: 0.1 });
    const r3 = LoraWeights.random(HEAD_TARGETS, { rank: 2, seed: 10, std: 0.1 });
    const a1 = r1.layers.get('output_hypernetworks_mlps.2.layers.1')!.a;
    expect(a1).toEqual(r2.layers.get('output_hypernetworks_mlps.2.layers.1')!.a);
    expect(a1).not.toEqual(r3.layers.get('output_hypernetworks_mlps.2.layers.1')!.a);
    const std = Math.sqrt(a1.reduce((s, v) => s + v * v, 0) / a1.length);
    expect(std).toBeGreaterThan(0.09);
    expect(std).toBeLessThan(0.11);
  });
});
