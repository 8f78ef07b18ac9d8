import { encodeMask, type Rle } from '@tasam/coco-data';
import {
  type HeadLora,
  type HeadWeights,
  ImageFrame,
  type ImageSize,
  maskLogits,
  type Prompt,
  predictHeads,
  type Tensor32,
  type TrunkOutput,
  upscaleMask,
} from '@tasam/sam-runtime';

/** Box corners x0,y0,x1,y1 in original-image pixels. */
export type Box = [number, number, number, number];

/** One box's mask from one set of heads. */
export interface BoxMask {
  rle: Rle;
  /** The heads' predicted IoU of mask 0. */
  predictedIou: number;
  stabilityScore: number;
}

/** One box prompt and the head sets that read its trunk output. */
export interface BoxRequest {
  box: Box;
  /** Head sets whose mask is wanted: plain SAM's (undefined) or a task's LoRA. */
  heads: readonly (HeadLora | undefined)[];
  /** Head sets read only for their predicted IoU: no mask is made for them (a mask costs more than its IoU). */
  iouOnly?: readonly (HeadLora | undefined)[];
}

/** A box's masks (one a head set of `heads`) and the predicted IoUs of its `iouOnly` head sets. */
export interface BoxPrediction {
  masks: BoxMask[];
  ious: number[];
}

/** What runs the trunk for a batch of prompts of one image (SamRuntime.trunk). */
export type TrunkFunction = (embedding: Tensor32, prompts: Prompt[], size: ImageSize) => Promise<TrunkOutput>;

export interface BoxMaskOptions {
  /**
   * At most this many boxes per trunk call (default 8; the boxes are spread evenly over the fewest calls). The
   * trunk computes the image's part once per call, so per-box time falls up to about 8 boxes a call, then rises
   * (suitcases.jpg, 20 boxes: 57 ms a box at 4, 53 at 8 or 10, 72 at 20).
   */
  boxesPerBatch?: number;
  /** Logit threshold of the masks (default SAM's, 0; see sam-runtime's `upscaleMask`). */
  maskThreshold?: number;
  /**
   * A task's masks are the mix (1 - w) x plain SAM's logits + w x the task heads' logits (default 1: the task
   * heads' alone). Mask logits are linear in the mask token's hypernetwork output, so the mix is made there.
   */
  taskWeight?: number;
  /** Called after each trunk batch with boxes done and total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Masks for box prompts, each box through the heads it asks for: the trunk runs ONCE per box (batched), then
 * every requested head set (plain SAM = undefined, or a task's LoRA) reads the same trunk output. A box prompt
 * uses SAM's single-mask output (mask 0): with a box SAM is not ambiguous, and the multimask outputs 1-3 are
 * trained for ambiguous single clicks.
 */
export async function boxMasks(
  trunk: TrunkFunction,
  embedding: Tensor32,
  size: ImageSize,
  weights: HeadWeights,
  requests: readonly BoxRequest[],
  options: BoxMaskOptions = {},
): Promise<BoxPrediction[]> {
  const frame = new ImageFrame(size);
  const most = Math.max(1, options.boxesPerBatch ?? 8);
  const batch = Math.ceil(requests.length / Math.max(1, Math.ceil(requests.length / most)));
  const out: BoxPrediction[] = requests.map(() => ({ masks: [], ious: [] }));
  const low = new Float32Array(256 * 256);
  for (let start = 0; start < requests.length; start += batch) {
    const chunk = requests.slice(start, start + batch);
    const output = await trunk(
      embedding,
      chunk.map((r) => ({ box: r.box })),
      size,
    );
    // Distinct head sets of this batch, each computed once over the whole batch: mask 0's hypernetwork MLP for
    // the sets that make a mask, none for those read only for their predicted IoU.
    const masked = new Set(chunk.flatMap((r) => r.heads));
    const taskWeight = options.taskWeight ?? 1;
    // A mix needs plain SAM's mask weights as well.
    if (taskWeight !== 1 && [...masked].some((lora) => lora !== undefined)) masked.add(undefined);
    const distinct = [...new Set([...masked, ...chunk.flatMap((r) => r.iouOnly ?? [])])];
    const predicted = new Map(
      distinct.map((lora) => [lora, predictHeads(output, weights, lora, masked.has(lora) ? [0] : [])]),
    );
    if (taskWeight !== 1) {
      const plain = predicted.get(undefined)!.maskWeights;
      for (const [lora, heads] of predicted)
        if (lora !== undefined && masked.has(lora))
          heads.maskWeights.forEach((v, i) => {
            heads.maskWeights[i] = (1 - taskWeight) * plain[i] + taskWeight * v;
          });
    }
    chunk.forEach((request, p) => {
      for (const lora of request.heads) {
        const heads = predicted.get(lora)!;
        maskLogits(output, heads.maskWeights, p, 0, low);
        const { mask, stabilityScore } = upscaleMask(low, frame, { threshold: options.maskThreshold });
        out[start + p].masks.push({
          rle: encodeMask(mask, frame.height, frame.width),
          predictedIou: heads.iouPredictions[p * 4],
          stabilityScore,
        });
      }
      for (const lora of request.iouOnly ?? [])
        out[start + p].ious.push(predicted.get(lora)!.iouPredictions[p * 4]);
    });
    options.onProgress?.(Math.min(start + batch, requests.length), requests.length);
  }
  return out;
}

/**
 * A box (x0, y0, x1, y1) scaled by `scale` about its centre: 0.9 makes it 10% narrower and 10% lower. Scale 1
 * returns the same corners exactly (no rounding through the centre).
 */
export function scaleBox(box: readonly number[], scale: number): Box {
  const [x0, y0, x1, y1] = box;
  if (scale === 1) return [x0, y0, x1, y1];
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const [hw, hh] = [((x1 - x0) / 2) * scale, ((y1 - y0) / 2) * scale];
  return [cx - hw, cy - hh, cx + hw, cy + hh];
}

/**
 * A detector box made a valid SAM box prompt: clipped to the image (SAM rejects boxes reaching outside it), or
 * null when nothing of it is left.
 */
export function clipBox(box: readonly number[], size: ImageSize): Box | null {
  const x0 = Math.min(Math.max(box[0], 0), size.width);
  const y0 = Math.min(Math.max(box[1], 0), size.height);
  const x1 = Math.min(Math.max(box[2], 0), size.width);
  const y1 = Math.min(Math.max(box[3], 0), size.height);
  return x1 > x0 && y1 > y0 ? [x0, y0, x1, y1] : null;
}
