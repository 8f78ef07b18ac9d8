import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoraAdapterError } from './errors/lora-adapter-error';
import { LoraFileError } from './errors/lora-file-error';
import { LoraShapeError } from './errors/lora-shape-error';
import { SafetensorsFormatError } from './errors/safetensors-format-error';
import { HEAD_TARGETS } from './lora-target';
import { LoraWeights } from './lora-weights';
import { adapterMetadata, decodeLora, encodeLora, loadLora, peftTensorName, saveLora } from './peft-adapter';
import { decodeSafetensors, encodeSafetensors, float32Bytes } from './safetensors';

const randomLayers = LoraWeights.random(HEAD_TARGETS, { rank: 4, seed: 5 }).layers;
const adapter = () =>
  new LoraWeights({
    rank: 4,
    alpha: 8,
    layers: randomLayers,
    metadata: { textEncoder: 'use-lite', task: 'segment all red apples', extra: { trained_steps: '1200' } },
  });

describe('PEFT safetensors adapters', () => {
  it('names tensors as PEFT does and writes an adapter_config-like metadata block', () => {
    const { metadata, tensors } = decodeSafetensors(encodeLora(adapter()));
    expect(peftTensorName('iou_prediction_head.layers.0', 'A')).toBe(
      'base_model.model.mask_decoder.iou_prediction_head.layers.0.lora_A.weight',
    );
    expect(
      tensors.get('base_model.model.mask_decoder.output_hypernetworks_mlps.0.layers.2.lora_A.weight'),
    ).toMatchObject({
      dtype: 'F32',
      shape: [4, 256],
    });
    expect(
      tensors.get('base_model.model.mask_decoder.output_hypernetworks_mlps.0.layers.2.lora_B.weight')!.shape,
    ).toEqual([32, 4]);
    expect(tensors.size).toBe(30);
    expect(metadata).toEqual({
      trained_steps: '1200',
      format: 'pt',
      peft_type: 'LORA',
      r: '4',
      lora_alpha: '8',
      use_rslora: 'false',
      target_modules: JSON.stringify(HEAD_TARGETS.map((t) => t.path)),
      bias: 'none',
      text_encoder: 'use-lite',
      task: 'segment all red apples',
    });
  });

  it('round-trips weights, hyper-parameters and metadata exactly', () => {
    const original = adapter();
    const back = decodeLora(encodeLora(original));
    expect(back.rank).toBe(4);
    expect(back.alpha).toBe(8);
    expect(back.scaling).toBe(2);
    expect(back.metadata).toEqual(original.metadata);
    expect(back.paths).toEqual(original.paths);
    for (const [path, layer] of original.layers) expect(back.layers.get(path)).toEqual(layer);
    const rs = new LoraWeights({ rank: 4, alpha: 8, rsLora: true, layers: original.layers });
    expect(decodeLora(encodeLora(rs)).scaling).toBe(4);
  });

  it('saves atomically and loads from disk, naming the file in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lora-'));
    const file = join(dir, 'apples.safetensors');
    await saveLora(file, adapter());
    await saveLora(file, adapter()); // overwrite in place
    expect(readdirSync(dir)).toEqual(['apples.safetensors']);
    expect((await loadLora(file)).metadata.task).toBe('segment all red apples');

    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    await expect(loadLora(file)).rejects.toThrow(SafetensorsFormatError);
    await expect(loadLora(file)).rejects.toThrow(`${file}: not a valid safetensors file: truncated`);
    await expect(loadLora(join(dir, 'missing.safetensors'))).rejects.toThrow(LoraFileError);
    await expect(saveLora(join(dir, 'no-such-dir', 'x.safetensors'), adapter())).rejects.toThrow(
      /no-such-dir\/x\.safetensors: cannot write file \(ENOENT\)/,
    );
    expect(readdirSync(dir)).toEqual(['apples.safetensors']);
  });

  it('reads plain PEFT files (no tasam metadata) given alpha, in F16 too', () => {
    const a = Float32Array.of(1, 2, 3, 4, 5, 6); // [2, 3]
    const b = Float32Array.of(0.5, -0.5); // [1, 2]
    const f16 = (values: number[]) => Uint8Array.from(values.flatMap((h) => [h & 0xff, h >> 8]));
    const bytes = encodeSafetensors(
      [
        [peftTensorName('x.proj', 'A'), { dtype: 'F32', shape: [2, 3], data: float32Bytes(a) }],
        [peftTensorName('x.proj', 'B'), { dtype: 'F16', shape: [1, 2], data: f16([0x3800, 0xb800]) }],
      ],
      { format: 'pt' },
    );
    expect(() => decodeLora(bytes, { source: 'peft.safetensors' })).toThrow(
      new LoraAdapterError(
        'peft.safetensors',
        'no lora_alpha in its metadata; pass the adapter_config.json value as `alpha`',
      ),
    );
    const w = decodeLora(bytes, { alpha: 4 });
    expect(w.rank).toBe(2);
    expect(w.scaling).toBe(2);
    expect(w.layers.get('x.proj')).toEqual({ a, b, rank: 2, inFeatures: 3, outFeatures: 1 });
  });

  it('rejects files that are not LoRA adapters with the reason', () => {
    const t = (shape: number[]) => ({
      dtype: 'F32',
      shape,
      data: new Uint8Array(shape.reduce((p, d) => p * d, 1) * 4),
    });
    const meta = { lora_alpha: '1' };
    expect(() => decodeLora(encodeSafetensors([['model.weight', t([2, 2])]], meta), { source: 'f' })).toThrow(
      'f: not a usable LoRA adapter: tensor model.weight is not named base_model.model.mask_decoder.<module>.lora_{A,B}.weight',
    );
    expect(() =>
      decodeLora(encodeSafetensors([[peftTensorName('m', 'A'), t([2, 2])]], meta), { source: 'f' }),
    ).toThrow('f: not a usable LoRA adapter: m has lora_A but no lora_B');
    expect(() => decodeLora(encodeSafetensors([], meta), { source: 'f' })).toThrow(
      'it holds no LoRA tensors',
    );
    expect(() =>
      decodeLora(
        encodeSafetensors(
          [
            [peftTensorName('m', 'A'), t([2, 3])],
            [peftTensorName('m', 'B'), t([4, 3])],
          ],
          meta,
        ),
      ),
    ).toThrow(new LoraShapeError('LoRA bytes: m', 'lora_A [2,3] and lora_B [4,3] do not have rank 2'));
    expect(() =>
      decodeLora(
        encodeSafetensors(
          [
            [peftTensorName('m', 'A'), t([2, 3])],
            [peftTensorName('m', 'B'), t([4, 2])],
          ],
          { r: '3', lora_alpha: '1' },
        ),
      ),
    ).toThrow(LoraShapeError);
    expect(() =>
      decodeLora(
        encodeSafetensors(
          [
            [peftTensorName('m', 'A'), t([6])],
            [peftTensorName('m', 'B'), t([4, 2])],
          ],
          meta,
        ),
      ),
    ).toThrow('m: lora_A has shape [6]');
    expect(() =>
      decodeLora(
        encodeSafetensors(
          [
            [peftTensorName('m', 'A'), t([2, 3])],
            [peftTensorName('m', 'B'), t([4, 2])],
          ],
          { lora_alpha: 'x' },
        ),
        {
          source: 'f',
        },
      ),
    ).toThrow('f: not a usable LoRA adapter: metadata lora_alpha="x" is not a number');
    const ints = encodeSafetensors(
      [
        [peftTensorName('m', 'A'), { dtype: 'I32', shape: [1, 1], data: new Uint8Array(4) }],
        [peftTensorName('m', 'B'), t([1, 1])],
      ],
      meta,
    );
    expect(() => decodeLora(ints, { source: 'f' })).toThrow(
      'f: not a usable LoRA adapter: m is stored as I32, not a float type',
    );
  });

  it('keeps reserved metadata keys authoritative over extra ones', () => {
    const w = new LoraWeights({
      ...adapter(),
      rank: 4,
      alpha: 8,
      layers: adapter().layers,
      metadata: { extra: { r: '99' } },
    });
    expect(adapterMetadata(w).r).toBe('4');
  });
});
