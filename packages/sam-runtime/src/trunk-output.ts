/**
 * What the task-free trunk returns for `n` prompts: everything the output heads need, nothing task-specific.
 * All arrays are row-major float32.
 */
export interface TrunkOutput {
  n: number;
  /** IoU-token output of the two-way transformer, [n,256]. */
  iouToken: Float32Array;
  /** The four mask-token outputs, [n,4,256]. */
  maskTokens: Float32Array;
  /** Upscaled image embedding, [n,32,256,256]. */
  upscaled: Float32Array;
}

export const TOKEN_DIM = 256;
export const MASK_TOKENS = 4;
export const UPSCALED_CHANNELS = 32;
export const LOW_RES_PIXELS = 256 * 256;

/** The prompts [start, end) of a trunk output, as a trunk output of their own (views, no copies). */
export function sliceTrunkOutput(trunk: TrunkOutput, start: number, end: number): TrunkOutput {
  return {
    n: end - start,
    iouToken: trunk.iouToken.subarray(start * TOKEN_DIM, end * TOKEN_DIM),
    maskTokens: trunk.maskTokens.subarray(start * MASK_TOKENS * TOKEN_DIM, end * MASK_TOKENS * TOKEN_DIM),
    upscaled: trunk.upscaled.subarray(
      start * UPSCALED_CHANNELS * LOW_RES_PIXELS,
      end * UPSCALED_CHANNELS * LOW_RES_PIXELS,
    ),
  };
}
