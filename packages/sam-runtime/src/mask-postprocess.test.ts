import { InvalidOptionError } from './errors';
import { ImageFrame } from './image-frame';
import { stabilityScore, thresholdLogits, upscaleLogits, upscaleMask } from './mask-postprocess';

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

/** Low-res logits of one elliptic blob: `peak` at its centre, falling off linearly, `floor` far away. */
function blob(random: () => number, peak: number, floor: number): Float32Array {
  const lowRes = new Float32Array(256 * 256);
  const cx = random() * 256;
  const cy = random() * 256;
  const rx = 1 + random() * 60;
  const ry = 1 + random() * 60;
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const d = Math.hypot((x - cx) / rx, (y - cy) / ry);
      lowRes[y * 256 + x] = Math.max(floor, peak * (1 - d));
    }
  }
  return lowRes;
}

describe('upscaleMask', () => {
  const sizes: [number, number][] = [
    [640, 480],
    [480, 640],
    [1100, 37],
    [97, 61],
    [1, 1],
    [1024, 1024],
  ];

  function expectSameAsFull(lowRes: Float32Array, frame: ImageFrame, threshold = 0, offset = 1): void {
    const full = upscaleLogits(lowRes, frame);
    const ours = upscaleMask(lowRes, frame, { threshold, stabilityOffset: offset });
    const expected = thresholdLogits(full, threshold);
    // The first differing pixel (jest's deep equality is slow on megapixel arrays).
    expect(ours.mask.length).toBe(expected.length);
    expect(ours.mask.findIndex((v, i) => v !== expected[i])).toBe(-1);
    expect(ours.stabilityScore).toBe(stabilityScore(full, threshold, offset));
  }

  it.each(sizes)(
    'gives the mask and stability of the full computation for blobs on a %ix%i image',
    (width, height) => {
      const frame = new ImageFrame({ width, height });
      const random = seededRandom(width * 7 + height);
      for (let k = 0; k < 8; k++) {
        // Blobs whose skirts sit on the thresholds that matter (-1, 0, +1), just below and just above them.
        const floor = [-1, 0, 1, -1.0001, -0.9999, -30][k % 6];
        expectSameAsFull(blob(random, 2 + random() * 20, floor), frame);
      }
    },
  );

  it('matches with other thresholds and offsets, and on noise', () => {
    const frame = new ImageFrame({ width: 333, height: 250 });
    const random = seededRandom(5);
    expectSameAsFull(blob(random, 8, -4), frame, 2, 0.5);
    expectSameAsFull(blob(random, 8, -4), frame, -3, 0);
    const noise = new Float32Array(256 * 256);
    for (let i = 0; i < noise.length; i++) noise[i] = random() < 0.002 ? random() * 5 : -2 - random() * 10;
    expectSameAsFull(noise, frame);
  });

  it('is empty with score 0 when no logit reaches the lower threshold, and full when all pass', () => {
    const frame = new ImageFrame({ width: 64, height: 48 });
    const none = upscaleMask(new Float32Array(256 * 256).fill(-1), frame);
    expect(none.mask.every((v) => v === 0)).toBe(true);
    expect(none.stabilityScore).toBe(0);
    expectSameAsFull(new Float32Array(256 * 256).fill(3), frame);
    expectSameAsFull(new Float32Array(256 * 256).fill(0.5), frame);
  });

  it('ignores NaN logits as the full computation does', () => {
    const frame = new ImageFrame({ width: 120, height: 90 });
    const lowRes = blob(seededRandom(9), 10, -5);
    for (let i = 0; i < lowRes.length; i += 97) lowRes[i] = Number.NaN;
    expectSameAsFull(lowRes, frame);
  });

  it('rejects a negative or non-finite offset and a non-finite threshold', () => {
    const frame = new ImageFrame({ width: 8, height: 8 });
    const lowRes = new Float32Array(256 * 256);
    expect(() => upscaleMask(lowRes, frame, { stabilityOffset: -1 })).toThrow(InvalidOptionError);
    expect(() => upscaleMask(lowRes, frame, { stabilityOffset: Number.NaN })).toThrow(/stabilityOffset/);
    expect(() => upscaleMask(lowRes, frame, { threshold: Number.POSITIVE_INFINITY })).toThrow(/threshold/);
  });
});
