import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbImage } from '@tasam/coco-data';
import type * as Ort from 'onnxruntime-node';
import type Sharp from 'sharp';
import { DetectorModelLoadError, DetectorModelReadError } from '../errors';
import { mirrorDetections } from '../merge';
import { nonMaxSuppression } from '../nms';
import type { Detection } from '../types';
import { decodeYoloV8 } from '../yolov8-decode';
import type { DetectorModel, PassFilter } from './detector-model';
import { readSingleModelFile } from './model-files';
import {
  YOLOV8_FILES,
  YOLOV8_INPUT_NODE,
  YOLOV8_INPUT_SIZE,
  YOLOV8_MAX_CANDIDATES,
  YOLOV8_NMS_IOU,
  YOLOV8_PAD_VALUE,
  YOLOV8_SHA256,
  type YoloV8Variant,
} from './yolov8-constants';

/** The image letterboxed into YOLOv8's input: scaled by `scale` to fit, padded right and below. */
export interface Letterbox {
  /** [1, 3, size, size] RGB / 255, channels first. */
  input: Float32Array;
  scale: number;
}

/** Letterboxes an image (mirrored left-right when asked) into a `size` x `size` input. */
export async function letterbox(image: RgbImage, size: number, mirrored: boolean): Promise<Letterbox> {
  const sharp = require('sharp') as typeof Sharp;
  const scale = size / Math.max(image.width, image.height);
  const width = Math.max(1, Math.min(size, Math.round(image.width * scale)));
  const height = Math.max(1, Math.min(size, Math.round(image.height * scale)));
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (mirrored) pipeline = pipeline.flop();
  const pixels = await pipeline
    .resize(width, height, { fit: 'fill' })
    .extend({
      right: size - width,
      bottom: size - height,
      background: { r: YOLOV8_PAD_VALUE, g: YOLOV8_PAD_VALUE, b: YOLOV8_PAD_VALUE },
    })
    .raw()
    .toBuffer();
  const plane = size * size;
  const input = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) input[c * plane + p] = pixels[p * 3 + c] / 255;
  return { input, scale };
}

/**
 * A YOLOv8 ONNX export on onnxruntime-node (its own threads, so it runs on the calling thread): letterboxed
 * input, decoded by `decodeYoloV8`, de-duplicated by per-class NMS at YOLOV8_NMS_IOU. The file is the user's
 * (YOLOV8_FILES: not shipped, AGPL-3.0).
 */
export class YoloV8Model implements DetectorModel {
  readonly inputSize = YOLOV8_INPUT_SIZE;
  readonly id: string;

  private constructor(
    readonly name: YoloV8Variant,
    private readonly session: Ort.InferenceSession,
  ) {
    this.id = YOLOV8_FILES[name].id;
  }

  /** Reads `<variant>.onnx` from `modelDir`, checks its SHA-256 (when `verify`) and its input, opens a session. */
  static async load(name: YoloV8Variant, modelDir: string, verify: boolean): Promise<YoloV8Model> {
    const { file } = YOLOV8_FILES[name];
    if (!existsSync(join(modelDir, file)))
      throw new DetectorModelReadError(join(modelDir, file), {
        cause: new Error(
          `no such file: YOLOv8 weights are not shipped (AGPL-3.0); give the directory holding your ${file} ` +
            '(README of @tasam/detector, "YOLOv8")',
        ),
      });
    const bytes = await readSingleModelFile(modelDir, file, verify, YOLOV8_SHA256);
    const ort = require('onnxruntime-node') as typeof Ort;
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
    } catch (cause) {
      throw new DetectorModelLoadError(join(modelDir, file), `is not a loadable ONNX model`, { cause });
    }
    const input = session.inputMetadata.find((m) => m.name === YOLOV8_INPUT_NODE);
    const shape = input?.isTensor ? input.shape.join(',') : undefined;
    const expected = [1, 3, YOLOV8_INPUT_SIZE, YOLOV8_INPUT_SIZE].join(',');
    if (shape !== expected) {
      await session.release();
      throw new DetectorModelLoadError(
        join(modelDir, file),
        `expected an input ${YOLOV8_INPUT_NODE} of shape [${expected}], found ` +
          (input ? `[${shape}]` : `inputs ${session.inputNames.join(', ')}`),
      );
    }
    return new YoloV8Model(name, session);
  }

  async run(image: RgbImage, mirrored: boolean, filter: PassFilter): Promise<Detection[]> {
    const ort = require('onnxruntime-node') as typeof Ort;
    const { input, scale } = await letterbox(image, YOLOV8_INPUT_SIZE, mirrored);
    const tensor = new ort.Tensor('float32', input, [1, 3, YOLOV8_INPUT_SIZE, YOLOV8_INPUT_SIZE]);
    const outputs = await this.session.run({ [YOLOV8_INPUT_NODE]: tensor });
    const output = outputs[this.session.outputNames[0]].data as Float32Array;
    const decoded = decodeYoloV8(output, image.width, image.height, { ...filter, scale });
    const detections = nonMaxSuppression(decoded, YOLOV8_NMS_IOU, YOLOV8_MAX_CANDIDATES);
    return mirrored ? mirrorDetections(detections, image.width) : detections;
  }

  dispose(): void {
    void this.session.release();
  }
}
