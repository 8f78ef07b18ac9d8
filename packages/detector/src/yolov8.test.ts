import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { CocoDetector } from './coco-detector';
import { YOLOV8_ANCHORS, YOLOV8_INPUT_SIZE, YOLOV8_OUTPUT_ROWS } from './model/yolov8-constants';
import { letterbox } from './model/yolov8-model';
import { decodeYoloV8 } from './yolov8-decode';

/** A YOLOv8-shaped output with one box at `anchor`: centre, size in input pixels, class index and score. */
function output(boxes: { anchor: number; box: number[]; cls: number; score: number }[], anchors = 8) {
  const data = new Float32Array(YOLOV8_OUTPUT_ROWS * anchors);
  for (const { anchor, box, cls, score } of boxes) {
    box.forEach((v, row) => {
      data[row * anchors + anchor] = v;
    });
    data[(4 + cls) * anchors + anchor] = score;
  }
  return data;
}

describe('decodeYoloV8', () => {
  it('turns rows into boxes in image pixels: divided by the letterbox scale, clipped, COCO ids', () => {
    // Class 15 is COCO's cat (id 17); class 0 person (id 1).
    const data = output([
      { anchor: 2, box: [100, 50, 40, 20], cls: 15, score: 0.9 },
      { anchor: 5, box: [10, 10, 40, 40], cls: 0, score: 0.3 },
    ]);
    const found = decodeYoloV8(data, 300, 200, { scoreThreshold: 0.25, scale: 0.5, anchors: 8 });
    expect(found).toHaveLength(2);
    const cat = found.find((d) => d.category === 'cat')!;
    expect(cat).toMatchObject({ categoryId: 17, score: expect.closeTo(0.9, 6) });
    expect(cat.box).toEqual([160, 80, 240, 120]);
    // The person's box reaches past the image's top-left corner: clipped.
    expect(found.find((d) => d.categoryId === 1)!.box).toEqual([0, 0, 60, 60]);
  });

  it('keeps only scores at or above the threshold and the asked categories', () => {
    const data = output([
      { anchor: 0, box: [100, 50, 40, 20], cls: 15, score: 0.9 },
      { anchor: 1, box: [100, 50, 40, 20], cls: 16, score: 0.9 },
      { anchor: 2, box: [100, 50, 40, 20], cls: 15, score: 0.1 },
    ]);
    const cats = decodeYoloV8(data, 300, 200, {
      scoreThreshold: 0.25,
      scale: 1,
      anchors: 8,
      categoryIds: new Set([17]),
    });
    expect(cats.map((d) => d.category)).toEqual(['cat']);
  });

  it('drops boxes left with no area after clipping, and rejects an output of the wrong size', () => {
    const outside = output([{ anchor: 0, box: [-50, 10, 20, 20], cls: 15, score: 0.9 }]);
    expect(decodeYoloV8(outside, 300, 200, { scoreThreshold: 0.25, scale: 1, anchors: 8 })).toEqual([]);
    expect(() => decodeYoloV8(new Float32Array(10), 300, 200, { scoreThreshold: 0.5, scale: 1 })).toThrow(
      /expected 84 x 8400 values, got 10/,
    );
  });
});

describe('letterbox', () => {
  it('scales the image to fit, pads right and below with grey 114, RGB / 255 channels first', async () => {
    // 4 x 2 red image into an 8 x 8 input: scale 2, the image fills the top 8 x 4.
    const image = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(0) };
    for (let p = 0; p < 8; p++) image.data[p * 3] = 255;
    const { input, scale } = await letterbox(image, 8, false);
    expect(scale).toBe(2);
    const at = (c: number, x: number, y: number) => input[c * 64 + y * 8 + x];
    expect([at(0, 1, 1), at(1, 1, 1), at(2, 1, 1)]).toEqual([1, 0, 0]);
    expect(at(0, 3, 6)).toBeCloseTo(114 / 255, 6);
    expect(at(2, 7, 7)).toBeCloseTo(114 / 255, 6);
  });

  it('mirrors left-right when asked', async () => {
    const image = { width: 2, height: 2, data: new Uint8Array([255, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255]) };
    const { input } = await letterbox(image, 2, true);
    // Red was on the left; mirrored, the left column is blue.
    expect([input[0], input[2 * 4]]).toEqual([0, 1]);
  });
});

/**
 * A stand-in YOLOv8 ONNX file with the real one's input and output (the real weights are the user's, AGPL-3.0):
 * its output is a constant: one cat centred at (320, 160) input pixels, 320 x 160 of them.
 */
function fakeYoloOnnx(inputSide = YOLOV8_INPUT_SIZE): Uint8Array {
  const data = new Float32Array(YOLOV8_OUTPUT_ROWS * YOLOV8_ANCHORS);
  const anchor = 1234;
  [320, 160, 320, 160].forEach((v, row) => {
    data[row * YOLOV8_ANCHORS + anchor] = v;
  });
  data[(4 + 15) * YOLOV8_ANCHORS + anchor] = 0.8;
  const tensorType = (dims: number[]) => ({
    tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'fake-yolov8',
      node: [{ opType: 'Identity', input: ['constant'], output: ['output0'] }],
      initializer: [
        {
          name: 'constant',
          dataType: 1,
          dims: [1, YOLOV8_OUTPUT_ROWS, YOLOV8_ANCHORS],
          rawData: new Uint8Array(data.buffer),
        },
      ],
      input: [{ name: 'images', type: tensorType([1, 3, inputSide, inputSide]) }],
      output: [{ name: 'output0', type: tensorType([1, YOLOV8_OUTPUT_ROWS, YOLOV8_ANCHORS]) }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

describe('CocoDetector with a YOLOv8 file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yolo-'));
  writeFileSync(join(dir, 'yolov8n.onnx'), fakeYoloOnnx());
  // 1280 x 640: the letterbox scale is 0.5 (the image fills the input's top half), so the box maps to the image's
  // (320, 160)-(960, 480), its centre.
  const image = { width: 1280, height: 640, data: new Uint8Array(1280 * 640 * 3) };

  it('runs the file on onnxruntime and decodes its boxes into the image', async () => {
    const detector = await CocoDetector.load({ models: ['yolov8n'], modelDir: dir, verify: false });
    try {
      expect(detector.id).toBe('yolov8n@ultralytics-8.0.175');
      expect(detector.parallel).toBe(false);
      const found = await detector.detect(image);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ category: 'cat', categoryId: 17, score: expect.closeTo(0.8, 6) });
      expect(found[0].box).toEqual([320, 160, 960, 480]);
      // The mirrored pass (the same constant) mapped back: the box is centred, so it lands on itself and fuses.
      const flipped = await detector.detect(image, { augment: 'flip', merge: 'wbf' });
      expect(flipped.map((d) => d.box)).toEqual([[320, 160, 960, 480]]);
      expect(await detector.detect(image, { categoryIds: [18] })).toEqual([]);
    } finally {
      detector.dispose();
    }
  });

  it('checks the file against the known SHA-256 by default', async () => {
    await expect(CocoDetector.load({ models: ['yolov8n'], modelDir: dir })).rejects.toMatchObject({
      code: 'DETECTOR_MODEL_CHECKSUM',
    });
  });

  it('says where YOLOv8 weights come from when the file is missing (the bundled models have none)', async () => {
    await expect(CocoDetector.load({ models: ['yolov8s'] })).rejects.toMatchObject({
      code: 'DETECTOR_MODEL_READ',
      message: expect.stringMatching(
        /yolov8s\.onnx: cannot read: no such file: YOLOv8 weights are not shipped/,
      ),
    });
  });

  it('refuses a file that is not ONNX, or whose input is not [1,3,640,640]', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'yolo-bad-'));
    writeFileSync(join(bad, 'yolov8n.onnx'), 'not a model');
    writeFileSync(join(bad, 'yolov8m.onnx'), fakeYoloOnnx(320));
    await expect(
      CocoDetector.load({ models: ['yolov8n'], modelDir: bad, verify: false }),
    ).rejects.toMatchObject({ code: 'DETECTOR_MODEL_LOAD', message: /is not a loadable ONNX model/ });
    await expect(
      CocoDetector.load({ models: ['yolov8m'], modelDir: bad, verify: false }),
    ).rejects.toMatchObject({
      code: 'DETECTOR_MODEL_LOAD',
      message: /expected an input images of shape \[1,3,640,640\]/,
    });
  });
});
