import { InvalidOptionError } from './errors';
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

/** The four 1-D resizes of SAM's postprocessing for one frame: 256 grid -> 1024 frame, crop -> original. */
interface Plan {
  upX: Taps;
  upY: Taps;
  downX: Taps;
  downY: Taps;
}

function planFor(frame: ImageFrame): Plan {
  return {
    upX: taps(SAM_LOW_RES_SIZE, SAM_INPUT_SIZE),
    upY: taps(SAM_LOW_RES_SIZE, SAM_INPUT_SIZE),
    downX: taps(frame.resizedWidth, frame.width),
    downY: taps(frame.resizedHeight, frame.height),
  };
}

/** Half-open pixel ranges [x0, x1) x [y0, y1) of the original image. */
interface Region {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * Upscales the logits of `region` only, into `out` at (y - y0) * stride + (x - x0). Every value is computed by
 * the same float32 steps whatever the region, so a region's pixels equal the whole image's bit for bit.
 */
function upscaleRegion(lowRes: Float32Array, plan: Plan, region: Region, out: Float32Array, stride: number) {
  const { upX, upY, downX, downY } = plan;
  const L = SAM_LOW_RES_SIZE;
  const { x0, x1, y0, y1 } = region;
  // Columns of the 1024 frame that the region reads, numbered in increasing order.
  const first = downX.lo[x0];
  const last = downX.hi[x1 - 1];
  const index = new Int32Array(last - first + 1).fill(-1);
  for (let x = x0; x < x1; x++) {
    index[downX.lo[x] - first] = 0;
    index[downX.hi[x] - first] = 0;
  }
  let used = 0;
  const columnList: number[] = [];
  for (let c = first; c <= last; c++) {
    if (index[c - first] < 0) continue;
    index[c - first] = used++;
    columnList.push(c);
  }
  const width = x1 - x0;
  const colLo = new Int32Array(width);
  const colHi = new Int32Array(width);
  for (let x = x0; x < x1; x++) {
    colLo[x - x0] = index[downX.lo[x] - first];
    colHi[x - x0] = index[downX.hi[x] - first];
  }
  // The 256-grid rows those frame rows read, each interpolated horizontally at the used frame columns.
  const rowBase = upY.lo[downY.lo[y0]];
  const rowLast = upY.hi[downY.hi[y1 - 1]];
  const horizontal = new Float32Array((rowLast - rowBase + 1) * used);
  for (let r = rowBase; r <= rowLast; r++) {
    const row = r * L;
    const at = (r - rowBase) * used;
    for (let k = 0; k < used; k++) {
      const c = columnList[k];
      const w = upX.weight[c];
      horizontal[at + k] = lowRes[row + upX.lo[c]] * (1 - w) + lowRes[row + upX.hi[c]] * w;
    }
  }
  // Rows of the 1024 frame, computed on demand and cached (consecutive output rows share them).
  const rowCache = new Map<number, Float32Array>();
  const frameRow = (r: number): Float32Array => {
    let row = rowCache.get(r);
    if (row) return row;
    row = new Float32Array(used);
    const w = upY.weight[r];
    const a = (upY.lo[r] - rowBase) * used;
    const b = (upY.hi[r] - rowBase) * used;
    for (let k = 0; k < used; k++) row[k] = horizontal[a + k] * (1 - w) + horizontal[b + k] * w;
    if (rowCache.size > 4) rowCache.delete(rowCache.keys().next().value as number);
    rowCache.set(r, row);
    return row;
  };
  const blended = new Float32Array(used);
  for (let y = y0; y < y1; y++) {
    const top = frameRow(downY.lo[y]);
    const bottom = frameRow(downY.hi[y]);
    const wy = downY.weight[y];
    for (let k = 0; k < used; k++) blended[k] = top[k] * (1 - wy) + bottom[k] * wy;
    const offset = (y - y0) * stride;
    for (let i = 0; i < width; i++) {
      const wx = downX.weight[x0 + i];
      out[offset + i] = blended[colLo[i]] * (1 - wx) + blended[colHi[i]] * wx;
    }
  }
}

/**
 * SAM's mask postprocessing for one low-res logit map [256*256]: bilinear upsample to the 1024 frame, crop
 * the padding away, bilinear resize to the original image (both steps align_corners=false, as
 * SamOnnxModel.mask_postprocessing). Returns logits [height*width], row-major. Only the pixels of the first
 * resize that the second one reads are computed.
 */
export function upscaleLogits(lowRes: Float32Array, frame: ImageFrame, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(frame.width * frame.height);
  upscaleRegion(
    lowRes,
    planFor(frame),
    { x0: 0, x1: frame.width, y0: 0, y1: frame.height },
    result,
    frame.width,
  );
  return result;
}

/** A binary mask at the image's size and its stability score (`upscaleMask`). */
export interface UpscaledMask {
  /** 1 = inside (upscaled logit > threshold), row-major [height*width]. */
  mask: Uint8Array;
  /** As `stabilityScore` of the upscaled logits. */
  stabilityScore: number;
}

export interface UpscaleMaskOptions {
  /** Logit threshold of the mask (default MASK_THRESHOLD, 0). */
  threshold?: number;
  /** Offset of the stability score's two thresholds (default 1, as SAM's). */
  stabilityOffset?: number;
}

/**
 * `thresholdLogits(upscaleLogits(...))` and `stabilityScore(...)` of the same logits, computed only where they
 * can differ from "outside": an upscaled logit is a convex combination of low-res logits, so pixels whose
 * low-res neighbourhood is all at or below threshold - offset can be neither in the mask nor in the stability
 * score's union. Only the window of pixels that read a low-res logit above that (less a small margin that
 * absorbs float rounding) is upscaled: for a box's mask a fraction of the image. Mask and score are identical
 * to the full computation's.
 */
export function upscaleMask(
  lowRes: Float32Array,
  frame: ImageFrame,
  options: UpscaleMaskOptions = {},
): UpscaledMask {
  const threshold = options.threshold ?? MASK_THRESHOLD;
  const offset = options.stabilityOffset ?? 1;
  if (!Number.isFinite(threshold))
    throw new InvalidOptionError('threshold', `must be a finite number, got ${threshold}`);
  if (!(offset >= 0 && Number.isFinite(offset)))
    throw new InvalidOptionError('stabilityOffset', `must be a finite number >= 0, got ${offset}`);
  const low = threshold - offset;
  const high = threshold + offset;
  const mask = new Uint8Array(frame.width * frame.height);
  const plan = planFor(frame);
  const region = regionAbove(lowRes, plan, frame, low - WINDOW_MARGIN * Math.max(1, Math.abs(low)));
  if (!region) return { mask, stabilityScore: 0 };
  const width = region.x1 - region.x0;
  const logits = new Float32Array(width * (region.y1 - region.y0));
  upscaleRegion(lowRes, plan, region, logits, width);
  let intersection = 0;
  let union = 0;
  for (let y = region.y0; y < region.y1; y++) {
    const from = (y - region.y0) * width;
    const to = y * frame.width + region.x0;
    for (let i = 0; i < width; i++) {
      const v = logits[from + i];
      if (v > low) {
        union++;
        if (v > high) intersection++;
      }
      if (v > threshold) mask[to + i] = 1;
    }
  }
  return { mask, stabilityScore: union === 0 ? 0 : intersection / union };
}

/**
 * Relative margin under the floor for the window: three float32 interpolation steps can round a convex
 * combination up by a few ulps, far less than this.
 */
const WINDOW_MARGIN = 1e-3;

/** The pixels of the original image that read any low-res logit >= floor, or null when none does. */
function regionAbove(lowRes: Float32Array, plan: Plan, frame: ImageFrame, floor: number): Region | null {
  const L = SAM_LOW_RES_SIZE;
  let c0 = L;
  let c1 = -1;
  let r0 = L;
  let r1 = -1;
  for (let r = 0; r < L; r++) {
    const row = r * L;
    for (let c = 0; c < L; c++) {
      if (!(lowRes[row + c] >= floor)) continue;
      if (c < c0) c0 = c;
      if (c > c1) c1 = c;
      if (r < r0) r0 = r;
      r1 = r;
    }
  }
  if (c1 < 0) return null;
  const x = span(plan.downX, plan.upX, frame.width, c0, c1);
  const y = span(plan.downY, plan.upY, frame.height, r0, r1);
  return x && y ? { x0: x[0], x1: x[1], y0: y[0], y1: y[1] } : null;
}

/**
 * The output pixels [from, to) along one axis that read a low-res index in [lo, hi]: pixel i reads the low-res
 * indices up.lo[down.lo[i]] .. up.hi[down.hi[i]], both non-decreasing in i, so they form one run.
 */
function span(down: Taps, up: Taps, size: number, lo: number, hi: number): [number, number] | null {
  let from = 0;
  while (from < size && up.hi[down.hi[from]] < lo) from++;
  let to = size;
  while (to > from && up.lo[down.lo[to - 1]] > hi) to--;
  return to > from ? [from, to] : null;
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
