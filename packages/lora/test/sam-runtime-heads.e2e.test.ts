import { buildTrunkModel, headWeightsFromModel, runHeads, Trunk } from '@tasam/sam-runtime';
import { InferenceSession } from 'onnxruntime-node';
import { DecoderGraph, HEAD_TARGETS, injectLora, LoraWeights, loraFeeds } from '../src';
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

/**
 * The independent cross-check of layouts and transposes: a LoRA applied by graph surgery inside sam.onnx
 * (onnxruntime, Gemm [out,in]) must equal the same LoRA applied by sam-runtime's TypeScript heads on the
 * trunk's outputs (PEFT formula W x + b + scaling·B(A x)).
 */
describe('LoRA-injected sam.onnx == sam-runtime trunk + TypeScript heads with the same LoRA', () => {
  const bytes = readSam('sam.onnx');
  const lora = LoraWeights.random(HEAD_TARGETS, { rank: 8, alpha: 16, seed: 11, std: 0.08 });
  let embedding: Float32Array;
  let injected: InferenceSession;
  let trunk: Trunk;
  const headWeights = headWeightsFromModel(bytes);
  const { model, targets } = injectLora(DecoderGraph.decode(bytes, 'sam.onnx'));

  beforeAll(async () => {
    embedding = await syntheticEmbedding();
    injected = await InferenceSession.create(model, exactSessionOptions);
    trunk = new Trunk(await InferenceSession.create(buildTrunkModel(bytes), exactSessionOptions));
  });
  afterAll(async () => {
    await Promise.all([injected?.release(), trunk?.dispose()]);
  });

  it.each(Object.keys(PROMPTS))(
    'prompt "%s": selected low-res mask and IoU agree within 1e-4',
    async (name) => {
      const prompt = PROMPTS[name];
      const feeds = decoderFeeds(embedding, prompt);
      const onnx = await injected.run({ ...feeds, ...toOrtFeeds(loraFeeds(lora, targets)) });

      const tokens = prompt.points.length + 1;
      const trunkOut = await trunk.run({ data: embedding, dims: [1, 256, 64, 64] }, [
        {
          coords: feeds.point_coords.data as Float32Array,
          labels: feeds.point_labels.data as Float32Array,
          tokens,
        },
      ]);
      const heads = runHeads(trunkOut, headWeights, lora);
      const plain = runHeads(trunkOut, headWeights);
      // SamOnnxModel.select_masks, written out here: score = iou + (tokens - 2.5)·[1000,0,0,0], argmax.
      const iou = Array.from(heads.iouPredictions);
      const scores = iou.map((v, m) => v + (m === 0 ? (tokens - 2.5) * 1000 : 0));
      const best = scores.indexOf(Math.max(...scores));
      const pixels = 256 * 256;
      const tsMask = heads.lowResMasks.subarray(best * pixels, (best + 1) * pixels);

      const maskDiff = difference(onnx.low_res_masks.data as Float32Array, tsMask);
      const iouDiff = difference(onnx.iou_predictions.data as Float32Array, [iou[best]]);
      expect(maskDiff.rel).toBeLessThanOrEqual(1e-4);
      expect(iouDiff.abs).toBeLessThanOrEqual(1e-4);
      // The LoRA changes the heads' answer by far more than the tolerance, so agreement is not vacuous.
      expect(difference(heads.lowResMasks, plain.lowResMasks).abs).toBeGreaterThan(1);
      expect(difference(heads.iouPredictions, plain.iouPredictions).abs).toBeGreaterThan(1e-3);
    },
  );
});
