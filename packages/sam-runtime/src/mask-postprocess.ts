import { type ImageFrame, SAM_INPUT_SIZE, SAM_LOW_RES_SIZE } from './image-frame';

/** Logit threshold of SAM's binary masks. */
export const MASK_THRESHOLD = 0;

/** Source index pairs and weights of a 1-D linear resize with half-pixel centres (align_corners=false). */
interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  weight: Float32Array;
}

function taps(inputSize: number, outputSize: number, limit = inputSize): Taps {
  const lo = new Int32Array(outputSize);
  const hi = new Int32Array(outputSize);
  const weight = new Float32Array(outputSize);
  const ratio = inputSize / outputSize;
  for (let i = 0; i < outputSize; i++) {
    // Source coordinate, clamped to the valid range as onnxruntime's Resize and torch's interpolate do.
    const x = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), limit - 1);
    const x0 = Math.floor(x);
    lo[i] = x0;
    hi[i] = Math.min(x0 + 1, limit - 1);
    weight[i] = x - x0;
  }
  return { lo, hi, weight };
}

/**
 * SAM's mask postprocessing for one low-res logit map [256*256]: bilinear upsample to the 1024 frame, crop
 * the padding away, bilinear resize to the original image (both steps align_corners=false, as
 * SamOnnxModel.mask_postprocessing). Returns logits [height*width], row-major. Only the pixels of the first
 * resize that the second one reads are computed.
 */
export function upscaleLogits(lowRes: Float32Array, frame: ImageFrame, out?: Float32Array): Float32Array {
  const { width, height, resizedWidth: cw, resizedHeight: ch } = frame;
  const L = SAM_LOW_RES_SIZE;
  const result = out ?? new Float32Array(width * height);
  // Step 1 taps: 1024-frame pixel -> 256 grid. Step 2 taps: original pixel -> cropped 1024 frame.
  const upX = taps(L, SAM_INPUT_SIZE);
  const upY = taps(L, SAM_INPUT_SIZE);
  const downX = taps(cw, width);
  const downY = taps(ch, height);

  // Columns of the 1024 frame that step 2 reads, each interpolated horizontally from every 256-row.
  const columns = new Int32Array(cw).fill(-1);
  let used = 0;
  for (let x = 0; x < width; x++) {
    for (const c of [downX.lo[x], downX.hi[x]]) if (columns[c] < 0) columns[c] = used++;
  }
  const columnList = new Int32Array(used);
  for (let c = 0; c < cw; c++) if (columns[c] >= 0) columnList[columns[c]] = c;
  const horizontal = new Float32Array(L * used);
  for (let r = 0; r < L; r++) {
    const row = r * L;
    for (let k = 0; k < used; k++) {
      const c = columnList[k];
      const w = upX.weight[c];
      horizontal[r * used + k] = lowRes[row + upX.lo[c]] * (1 - w) + lowRes[row + upX.hi[c]] * w;
    }
  }
  // Rows of the 1024 frame, computed on demand and cached (consecutive output rows share them).
  const rowCache = new Map<number, Float32Array>();
  const frameRow = (r: number): Float32Array => {
    let row = rowCache.get(r);
    if (row) return row;
    row = new Float32Array(used);
    const w = upY.weight[r];
    const a = upY.lo[r] * used;
    const b = upY.hi[r] * used;
    for (let k = 0; k < used; k++) row[k] = horizontal[a + k] * (1 - w) + horizontal[b + k] * w;
    if (rowCache.size > 4) rowCache.delete(rowCache.keys().next().value as number);
    rowCache.set(r, row);
    return row;
  };
  const blended = new Float32Array(used);
  for (let y = 0; y < height; y++) {
    const top = frameRow(downY.lo[y]);
    const bottom = frameRow(downY.hi[y]);
    const wy = downY.weight[y];
    for (let k = 0; k < used; k++) blended[k] = top[k] * (1 - wy) + bottom[k] * wy;
    const offset = y * width;
    for (let x = 0; x < width; x++) {
      const wx = downX.weight[x];
      result[offset + x] = blended[columns[downX.lo[x]]] * (1 - wx) + blended[columns[downX.hi[x]]] * wx;
    }
  }
  return result;
}

/** Binary mask (1 = inside) from logits: logit > threshold. */
export function thresholdLogits(logits: Float32Array, threshold = MASK_THRESHOLD): Uint8Array {
  const mask = new Uint8Array(logits.length);
  for (let i = 0; i < logits.length; i++) mask[i] = logits[i] > threshold ? 1 : 0;
  return mask;
}

/**
 * SAM's stability score: IoU between the masks thresholded at threshold+offset and threshold-offset
 * (0 when both are empty).
 */
export function stabilityScore(logits: Float32Array, threshold = MASK_THRESHOLD, offset = 1): number {
  const high = threshold + offset;
  const low = threshold - offset;
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > low) {
      union++;
      if (v > high) intersection++;
    }
  }
  return union === 0 ? 0 : intersection / union;
}
