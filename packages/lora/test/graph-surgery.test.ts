import { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  DecoderGraph,
  type Float32Tensor,
  injectLora,
  LORA_RANK_DIM,
  LoraLayoutError,
  LoraShapeError,
  LoraTargetNotFoundError,
  LoraWeights,
  loraFeeds,
  mergeLora,
  OnnxModelError,
} from '../src';
import { linearInOut, linearOutIn, TINY, tinyDecoderBytes } from './tiny-decoder';

const n = 2;
const x = Float32Array.of(0.3, -1.1, 2.0, 1.5, 0.2, -0.7);
const xt = new Float32Array(6);

async function run(model: Uint8Array, extra: Record<string, Float32Tensor> = {}): Promise<Float32Array> {
  const session = await InferenceSession.create(model);
  const feeds: Record<string, Tensor> = {
    x: new Tensor('float32', x, [n, 3]),
    xt: new Tensor('float32', xt, [3, 2]),
  };
  for (const [name, t] of Object.entries(extra)) feeds[name] = new Tensor('float32', t.data, t.dims);
  const out = await session.run(feeds);
  await session.release();
  return out.y.data as Float32Array;
}

/** The tiny graph's forward pass in float64 with LoRA deltas added the PEFT way: y = base(x) + s·(x·Aᵀ)·Bᵀ. */
function reference(lora?: LoraWeights): Float64Array {
  const delta = (path: string, input: ArrayLike<number>, inF: number, outF: number): Float64Array => {
    const layer = lora?.layers.get(path);
    if (!layer) return new Float64Array(n * outF);
    const u = linearOutIn(Float32Array.from(input), layer.a, n, inF, layer.rank);
    const v = linearOutIn(Float32Array.from(u), layer.b, n, layer.rank, outF);
    return v.map((value) => value * lora!.scaling);
  };
  const h = linearOutIn(x, TINY.head, n, 3, 4).map((v, k) => TINY.headAlpha * v + TINY.headBias[k % 4]);
  const hd = delta('head.layers.0', x, 3, 4);
  const r = h.map((v, k) => Math.max(0, v + hd[k]));
  const pd = delta('proj', r, 4, 5);
  const pb = linearInOut(r, TINY.proj, n, 4, 5).map((v, k) => v + pd[k] + TINY.projBias[k % 5]);
  const td = delta('tied', pb, 5, 5);
  const t = linearInOut(pb, TINY.tied, n, 5, 5);
  return t.map((v, k) => 2 * v + td[k]);
}

const expectClose = (actual: Float32Array, expected: Float64Array, tolerance = 1e-5) => {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < actual.length; k++) expect(Math.abs(actual[k] - expected[k])).toBeLessThan(tolerance);
};

describe('DecoderGraph on a tiny graph with sam.onnx layouts', () => {
  const bytes = tinyDecoderBytes();
  const graph = DecoderGraph.decode(bytes, 'tiny.onnx');
  const targets = graph.discoverTargets();
  const byPath = (path: string) => targets.find((t) => t.path === path)!;

  it('discovers linears by node name with their layout, skipping a transA Gemm', () => {
    expect(targets).toEqual([
      {
        path: 'head.layers.0',
        inFeatures: 3,
        outFeatures: 4,
        op: 'Gemm',
        weightLayout: 'out-in',
        nodeName: '/head/layers.0/Gemm',
      },
      {
        path: 'proj',
        inFeatures: 4,
        outFeatures: 5,
        op: 'MatMul',
        weightLayout: 'in-out',
        nodeName: '/proj/MatMul',
      },
      {
        path: 'tied',
        inFeatures: 5,
        outFeatures: 5,
        op: 'MatMul',
        weightLayout: 'in-out',
        nodeName: '/tied/MatMul',
      },
      {
        path: 'tied_again',
        inFeatures: 5,
        outFeatures: 5,
        op: 'MatMul',
        weightLayout: 'in-out',
        nodeName: '/tied_again/MatMul',
      },
    ]);
    expect(graph.discoverTargets((p) => p.startsWith('tied')).map((t) => t.path)).toEqual([
      'tied',
      'tied_again',
    ]);
  });

  it('the base graph matches the float64 reference', async () => {
    expectClose(await run(bytes), reference());
  });

  it('injects required LoRA inputs with a symbolic rank and no initializer', async () => {
    const injected = injectLora(graph, [byPath('head.layers.0'), byPath('proj'), byPath('tied')]);
    const reread = DecoderGraph.decode(injected.model);
    const inputs = reread.graph.input ?? [];
    const a = inputs.find((i) => i.name === 'lora_A.proj')!;
    expect(a.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue))).toEqual([
      LORA_RANK_DIM,
      4,
    ]);
    const b = inputs.find((i) => i.name === 'lora_B.head.layers.0')!;
    expect(b.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue))).toEqual([
      4,
      LORA_RANK_DIM,
    ]);
    expect([...reread.initializers.keys()].filter((name) => name.startsWith('lora_'))).toEqual([]);
    expect(reread.injectedTargets().map((t) => t.path)).toEqual(['head.layers.0', 'proj', 'tied']);

    const session = await InferenceSession.create(injected.model);
    expect(session.inputNames).toEqual(expect.arrayContaining(['lora_A.tied', 'lora_B.tied']));
    await expect(
      session.run({ x: new Tensor('float32', x, [n, 3]), xt: new Tensor('float32', xt, [3, 2]) }),
    ).rejects.toThrow(/lora_/);
    await session.release();
  });

  it('zero LoRA through the injected graph equals the base graph exactly', async () => {
    const injected = injectLora(graph, targets.slice(0, 3));
    const zero = LoraWeights.zeros(injected.targets, { rank: 2 });
    expect(await run(injected.model, loraFeeds(zero, injected.targets))).toEqual(await run(bytes));
  });

  it.each([1, 3])(
    'a random rank-%i LoRA: injected == merged == reference, for Gemm(alpha) and MatMul',
    async (rank) => {
      const chosen = targets.slice(0, 3);
      const lora = LoraWeights.random(chosen, { rank, alpha: 3, seed: rank, std: 0.4 });
      const injected = injectLora(graph, chosen);
      const viaInjection = await run(injected.model, loraFeeds(lora, injected.targets));
      const viaMerge = await run(mergeLora(graph, lora));
      const expected = reference(lora);
      expectClose(viaInjection, expected);
      expectClose(viaMerge, expected);
      // The LoRA must change the output, or the comparison above proves nothing.
      const base = reference();
      expect(Math.max(...expected.map((v, k) => Math.abs(v - base[k])))).toBeGreaterThan(0.05);
    },
  );

  it('merging into a shared weight copies it, leaving the other user unchanged', async () => {
    const lora = LoraWeights.random([byPath('tied')], { rank: 2, seed: 4, std: 0.4 });
    const merged = DecoderGraph.decode(mergeLora(graph, lora));
    expect(merged.linear('tied_again').weight.name).toBe('onnx::MatMul_9');
    expect(merged.linear('tied').weight.name).toBe('onnx::MatMul_9/lora_merged/tied');
    expect(merged.weightValues(merged.linear('tied_again'))).toEqual(TINY.tied);
    expectClose(await run(mergeLora(graph, lora)), reference(lora));
  });

  it('feeds scaling·B, zeros for uncovered targets, and refuses layers the model lacks', () => {
    const injected = injectLora(graph, [byPath('head.layers.0'), byPath('proj')]);
    const lora = LoraWeights.random([byPath('proj')], { rank: 2, alpha: 6, seed: 1 });
    const feeds = loraFeeds(lora, injected.targets);
    expect(Object.keys(feeds)).toEqual([
      'lora_A.head.layers.0',
      'lora_B.head.layers.0',
      'lora_A.proj',
      'lora_B.proj',
    ]);
    expect(feeds['lora_A.head.layers.0']).toEqual({ data: new Float32Array(6), dims: [2, 3] });
    expect(feeds['lora_B.proj'].dims).toEqual([5, 2]);
    expect(feeds['lora_B.proj'].data[3]).toBeCloseTo(3 * lora.layers.get('proj')!.b[3], 6);
    const extra = LoraWeights.random([byPath('tied')], { rank: 2 });
    expect(() => loraFeeds(extra, injected.targets)).toThrow(
      new LoraTargetNotFoundError('tied', 'the LoRA-injected model'),
    );
  });

  it('names the target in errors', () => {
    expect(() => graph.linear('head.layers.9')).toThrow(
      new LoraTargetNotFoundError('head.layers.9', 'tiny.onnx'),
    );
    expect(() => graph.linear('transposed')).toThrow(LoraTargetNotFoundError);
    expect(() => injectLora(graph, [{ ...byPath('proj'), outFeatures: 6 }])).toThrow(
      new LoraLayoutError('proj', 'outFeatures is 5 in tiny.onnx, the target expects 6'),
    );
    expect(() => injectLora(graph, [{ ...byPath('proj'), op: 'Gemm' }])).toThrow(LoraLayoutError);
    const wrongShape = new LoraWeights({
      rank: 1,
      alpha: 1,
      layers: { proj: { a: new Float32Array(3), b: new Float32Array(5), inFeatures: 3, outFeatures: 5 } },
    });
    expect(() => mergeLora(graph, wrongShape)).toThrow(
      new LoraShapeError('proj', 'LoRA is 3->5 but tiny.onnx has 4->5'),
    );
    const injected = injectLora(graph, [byPath('proj')]);
    expect(() => injectLora(DecoderGraph.decode(injected.model, 'injected.onnx'), [byPath('proj')])).toThrow(
      'proj: injected.onnx already has LoRA inputs for it',
    );
  });

  it('rejects bytes that are not an ONNX model', () => {
    expect(() => DecoderGraph.decode(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 'junk.onnx')).toThrow(
      OnnxModelError,
    );
    expect(() => DecoderGraph.decode(new Uint8Array(0), 'empty.onnx')).toThrow(
      new OnnxModelError('empty.onnx', 'it has no graph nodes'),
    );
  });
});
