import * as ort from 'onnxruntime-node';
import { SAM_LOW_RES_SIZE } from './image-frame';
import type { EncodedPrompt } from './prompt';
import { assertDims, type Tensor32 } from './tensor';
import { TrunkOutputName } from './trunk-model';
import { LOW_RES_PIXELS, MASK_TOKENS, TOKEN_DIM, type TrunkOutput, UPSCALED_CHANNELS } from './trunk-output';

export const EMBEDDING_DIMS = [1, 256, 64, 64] as const;

const OUTPUT_NAMES = [TrunkOutputName.iouToken, TrunkOutputName.maskTokens, TrunkOutputName.upscaled];

/**
 * The decoder trunk: prompt encoder, two-way transformer and output upscaling of SAM's mask decoder, as one
 * onnxruntime session on the prepared trunk model. Prompts with the same token count and mask-input presence
 * run in a single batched call.
 */
export class Trunk {
  constructor(readonly session: ort.InferenceSession) {}

  async run(embedding: Tensor32, prompts: readonly EncodedPrompt[]): Promise<TrunkOutput> {
    assertDims('image embedding', embedding, EMBEDDING_DIMS);
    const n = prompts.length;
    const groups = new Map<string, number[]>();
    prompts.forEach((prompt, i) => {
      const key = `${prompt.tokens}:${prompt.maskInput ? 1 : 0}`;
      const members = groups.get(key);
      if (members) members.push(i);
      else groups.set(key, [i]);
    });
    const embeddingTensor = new ort.Tensor('float32', embedding.data, EMBEDDING_DIMS as unknown as number[]);
    if (groups.size === 1) return this.runGroup(embeddingTensor, prompts);

    const output: TrunkOutput = {
      n,
      iouToken: new Float32Array(n * TOKEN_DIM),
      maskTokens: new Float32Array(n * MASK_TOKENS * TOKEN_DIM),
      upscaled: new Float32Array(n * UPSCALED_CHANNELS * LOW_RES_PIXELS),
    };
    for (const members of groups.values()) {
      const part = await this.runGroup(
        embeddingTensor,
        members.map((i) => prompts[i]),
      );
      members.forEach((target, source) => {
        copyRow(part.iouToken, output.iouToken, source, target, TOKEN_DIM);
        copyRow(part.maskTokens, output.maskTokens, source, target, MASK_TOKENS * TOKEN_DIM);
        copyRow(part.upscaled, output.upscaled, source, target, UPSCALED_CHANNELS * LOW_RES_PIXELS);
      });
    }
    return output;
  }

  /** One session call for prompts that share token count and mask presence. */
  private async runGroup(embedding: ort.Tensor, prompts: readonly EncodedPrompt[]): Promise<TrunkOutput> {
    const k = prompts.length;
    const tokens = prompts[0].tokens;
    const coords = new Float32Array(k * tokens * 2);
    const labels = new Float32Array(k * tokens);
    prompts.forEach((prompt, i) => {
      coords.set(prompt.coords, i * tokens * 2);
      labels.set(prompt.labels, i * tokens);
    });
    const hasMask = prompts[0].maskInput !== undefined;
    const maskPixels = SAM_LOW_RES_SIZE * SAM_LOW_RES_SIZE;
    const masks = new Float32Array(hasMask ? k * maskPixels : maskPixels);
    if (hasMask) {
      prompts.forEach((prompt, i) => {
        masks.set(prompt.maskInput!, i * maskPixels);
      });
    }
    const feeds = {
      image_embeddings: embedding,
      point_coords: new ort.Tensor('float32', coords, [k, tokens, 2]),
      point_labels: new ort.Tensor('float32', labels, [k, tokens]),
      mask_input: new ort.Tensor('float32', masks, [hasMask ? k : 1, 1, SAM_LOW_RES_SIZE, SAM_LOW_RES_SIZE]),
      has_mask_input: new ort.Tensor('float32', new Float32Array([hasMask ? 1 : 0]), [1]),
    };
    const result = await this.session.run(feeds, OUTPUT_NAMES);
    return {
      n: k,
      iouToken: result[TrunkOutputName.iouToken].data as Float32Array,
      maskTokens: result[TrunkOutputName.maskTokens].data as Float32Array,
      upscaled: result[TrunkOutputName.upscaled].data as Float32Array,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function copyRow(from: Float32Array, to: Float32Array, source: number, target: number, width: number): void {
  to.set(from.subarray(source * width, (source + 1) * width), target * width);
}
