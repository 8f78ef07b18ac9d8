import { decodeSafetensors, HEAD_TARGETS } from '@tasam/lora';
import { randomScorer, smallConfig } from '../test/helpers';
import { decodeHypernet, decodeScorer, encodeHypernet } from './checkpoint';
import { CheckpointFormatError, CheckpointMismatchError, HypernetConfigError } from './errors';
import { resolveConfig } from './hypernet-config';
import { Hypernetwork } from './hypernetwork';
import { TaskLoraGenerator } from './task-lora-generator';
import { useBackend } from './tf';

describe('hypernetwork checkpoints', () => {
  let net: Hypernetwork;
  beforeAll(async () => {
    await useBackend('wasm');
    net = Hypernetwork.initialise(smallConfig(), 2);
  });
  afterAll(() => net.dispose());

  it('round-trips weights and config exactly in F32, within half precision in F16', () => {
    const { net: back } = decodeHypernet(encodeHypernet(net), 'mem');
    expect(back.config).toEqual(net.config);
    expect(back.toArrays().get('blocks.0.attn.qkv.weight')).toEqual(
      net.toArrays().get('blocks.0.attn.qkv.weight'),
    );
    const f16 = encodeHypernet(net, { dtype: 'F16' });
    expect(f16.length).toBeLessThan(encodeHypernet(net).length * 0.6);
    const { net: half } = decodeHypernet(f16, 'mem16');
    const a = net.toArrays().get('head_a.256.weight') as Float32Array;
    const b = half.toArrays().get('head_a.256.weight') as Float32Array;
    for (let i = 0; i < a.length; i += 97)
      expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 1e-3 + 1e-7);
    back.dispose();
    half.dispose();
  });

  it('stores the task scorer beside the weights, and reads it alone', () => {
    const scorer = randomScorer(4);
    const bytes = encodeHypernet(net, { scorer, metadata: { note: 'x' } });
    const { scorer: back, metadata } = decodeHypernet(bytes, 'mem');
    expect(back?.toArrays().get('mask.0.weight')).toEqual(scorer.toArrays().get('mask.0.weight'));
    expect(metadata.note).toBe('x');
    expect(decodeScorer(decodeSafetensors(bytes, 'mem'))?.config).toEqual(scorer.config);
    // Without a scorer there is none, and a scorer_config copied from another checkpoint is dropped.
    const plain = encodeHypernet(net, { metadata: { scorer_config: JSON.stringify(scorer.config) } });
    expect(decodeHypernet(plain, 'mem').scorer).toBeUndefined();
    expect(decodeScorer(decodeSafetensors(plain, 'mem'))).toBeUndefined();
  });

  it('names a checkpoint whose scorer tensors are missing', () => {
    const contents = decodeSafetensors(encodeHypernet(net, { scorer: randomScorer() }), 'mem');
    contents.tensors.delete('scorer.bias');
    expect(() => decodeScorer(contents, 'ckpt.safetensors')).toThrow(
      /ckpt\.safetensors: tensor scorer\.bias is missing/,
    );
  });

  it('refuses another text encoder, rank, alpha or target list with a typed error', () => {
    const bytes = encodeHypernet(net);
    const expectMismatch = (expect_: Parameters<typeof decodeHypernet>[2], field: string) => {
      try {
        decodeHypernet(bytes, 'ckpt.safetensors', expect_);
        throw new Error('no error');
      } catch (error) {
        expect(error).toBeInstanceOf(CheckpointMismatchError);
        expect((error as CheckpointMismatchError).code).toBe('HYPERNET_CHECKPOINT_MISMATCH');
        expect((error as CheckpointMismatchError).field).toBe(field);
        expect((error as Error).message).toContain('ckpt.safetensors');
      }
    };
    expectMismatch({ textEncoderId: 'minilm' }, 'text encoder');
    expectMismatch({ rank: 8 }, 'rank');
    expectMismatch({ alpha: 16 }, 'alpha');
    expectMismatch({ targets: HEAD_TARGETS.slice(0, 3) }, 'targets');
    expect(() =>
      decodeHypernet(bytes, 'ok', {
        textEncoderId: 'test-encoder',
        rank: 4,
        alpha: 32,
        targets: HEAD_TARGETS,
      }),
    ).not.toThrow();
  });

  it('rejects files that are not hypernetwork checkpoints', () => {
    expect(() => decodeHypernet(new Uint8Array([1, 2, 3]), 'junk')).toThrow(CheckpointFormatError);
    const truncated = encodeHypernet(net).subarray(0, 2000);
    expect(() => decodeHypernet(truncated, 'cut')).toThrow(CheckpointFormatError);
  });

  it('validates configs', () => {
    expect(() =>
      resolveConfig({ textEncoderId: 'x', textDim: 8, targets: [...HEAD_TARGETS], heads: 3 }),
    ).toThrow(HypernetConfigError);
    expect(() => resolveConfig({ textEncoderId: '', textDim: 8, targets: [...HEAD_TARGETS] })).toThrow(
      HypernetConfigError,
    );
    expect(() => resolveConfig({ textEncoderId: 'x', textDim: 8, targets: [] })).toThrow(HypernetConfigError);
  });

  it('generates PEFT-layout LoraWeights and caches them per (checkpoint, task)', async () => {
    let calls = 0;
    const encoder = {
      id: 'test-encoder',
      dim: 16,
      embed: async (texts: string[]) => {
        calls += 1;
        return texts.map((t) => Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + t.length)));
      },
    };
    const generator = TaskLoraGenerator.fromNetwork(net, encoder);
    const lora = await generator.generate('segment all dogs');
    expect(lora.rank).toBe(4);
    expect(lora.scaling).toBe(8);
    expect(lora.metadata.textEncoder).toBe('test-encoder');
    const layer = lora.layers.get('output_hypernetworks_mlps.0.layers.2');
    expect(layer?.a.length).toBe(4 * 256);
    expect(layer?.b.length).toBe(32 * 4);
    expect(await generator.generate('segment all dogs')).toBe(lora);
    expect(calls).toBe(1);
    expect(() => TaskLoraGenerator.fromNetwork(net, { ...encoder, dim: 512 })).toThrow(HypernetConfigError);
  });
});
