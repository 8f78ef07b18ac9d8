import { ImageFrame } from './image-frame';
import { stabilityScore, thresholdLogits, upscaleLogits } from './mask-postprocess';

/** Source coordinate of output pixel i for a resize s -> d with half-pixel centres, clamped (torch/ONNX). */
const source = (i: number, s: number, d: number) => Math.min(Math.max((i + 0.5) * (s / d) - 0.5, 0), s - 1);

/** Pointwise 2-D bilinear sample of `at` (an image of w x h given as a function) at output pixel (x, y). */
function bilinear(
  at: (x: number, y: number) => number,
  w: number,
  h: number,
  dw: number,
  dh: number,
  x: number,
  y: number,
) {
  const fx = source(x, w, dw);
  const fy = source(y, h, dh);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const wx = fx - x0;
  const wy = fy - y0;
  return (
    (1 - wy) * ((1 - wx) * at(x0, y0) + wx * at(x1, y0)) + wy * ((1 - wx) * at(x0, y1) + wx * at(x1, y1))
  );
}

/** SAM's postprocessing written as a composition of two resizes evaluated per pixel: the reference. */
function samPostprocessReference(lowRes: Float32Array, frame: ImageFrame): Float64Array {
  const low = (x: number, y: number) => lowRes[y * 256 + x];
  // The 1024 upsample, of which the crop keeps [0, resizedWidth) x [0, resizedHeight).
  const frame1024 = (x: number, y: number) => bilinear(low, 256, 256, 1024, 1024, x, y);
  const out = new Float64Array(frame.width * frame.height);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      out[y * frame.width + x] = bilinear(
        frame1024,
        frame.resizedWidth,
        frame.resizedHeight,
        frame.width,
        frame.height,
        x,
        y,
      );
    }
  }
  return out;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('upscaleLogits', () => {
  it.each([
    [160, 93],
    [83, 125],
    [1100, 37],
    [97, 61],
  ])('equals upsample-to-1024, crop, resize for a %ix%i image', (width, height) => {
    const random = seededRandom(width * height);
    const lowRes = new Float32Array(256 * 256);
    for (let i = 0; i < lowRes.length; i++) lowRes[i] = (random() - 0.5) * 40;
    const frame = new ImageFrame({ width, height });
    const ours = upscaleLogits(lowRes, frame);
    const reference = samPostprocessReference(lowRes, frame);
    expect(ours.length).toBe(width * height);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('thresholdLogits and stabilityScore', () => {
  it('threshold strictly above 0 and score the +-1 band as SAM does', () => {
    const logits = new Float32Array([-2, -0.5, 0, 0.5, 1, 1.5, 3]);
    expect(Array.from(thresholdLogits(logits))).toEqual([0, 0, 0, 1, 1, 1, 1]);
    // > 1: {1.5, 3} = 2; > -1: {-0.5, 0, 0.5, 1, 1.5, 3} = 6
    expect(stabilityScore(logits)).toBeCloseTo(2 / 6, 12);
    expect(stabilityScore(new Float32Array([-5, -5]))).toBe(0);
  });
});
