import * as tf from '@tensorflow/tfjs-core';
import { ensureWasmBackend } from '../backend';
import { toInputTensor } from './input-tensor';

const image = (width: number, height: number, fill: (x: number, y: number, c: number) => number) => {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = fill(x, y, c);
  return { data, width, height };
};

describe('toInputTensor', () => {
  beforeAll(async () => {
    await ensureWasmBackend();
  }, 120_000);

  it('stretches any image to [1, 512, 512, 3] float RGB 0-255 and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const input = toInputTensor(image(64, 32, (_, __, c) => [255, 128, 0][c]));
    expect(input.shape).toEqual([1, 512, 512, 3]);
    expect(input.dtype).toBe('float32');
    const data = await input.data();
    expect(Array.from(data.slice(0, 3))).toEqual([255, 128, 0]);
    expect(Array.from(data.slice(-3))).toEqual([255, 128, 0]);
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stretches each axis on its own (no letterbox): left half black, right half white stays so', async () => {
    const input = toInputTensor(
      image(8, 2, (x) => (x < 4 ? 0 : 255)),
      16,
    );
    const data = await input.data();
    input.dispose();
    const pixel = (x: number, y: number) => data[(y * 16 + x) * 3];
    expect([pixel(0, 0), pixel(6, 15), pixel(9, 0), pixel(15, 15)]).toEqual([0, 0, 255, 255]);
  });
});
