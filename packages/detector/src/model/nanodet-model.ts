import type { RgbImage } from '@tasam/coco-data';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { DetectorModelLoadError } from '../errors';
import { mirrorDetections } from '../merge';
import { decodeNanoDet, type NanoDetLevel } from '../nanodet-decode';
import { nonMaxSuppression } from '../nms';
import type { Detection } from '../types';
import type { DetectorModel, PassFilter } from './detector-model';
import { checkInputShape, graphFromArtifacts } from './graph-model';
import {
  NANODET_BOX_COLUMNS,
  NANODET_BOX_OUTPUTS,
  NANODET_GRAPH_FILE,
  NANODET_INPUT_NODE,
  NANODET_INPUT_SIZE,
  NANODET_MEAN,
  NANODET_MODEL_ID,
  NANODET_NMS_IOU,
  NANODET_SCORE_OUTPUTS,
  NANODET_STD,
  NANODET_STRIDES,
} from './nanodet-constants';

/** Candidates kept per pass after NanoDet's own NMS (CenterNet gives 100 rows; fusion needs no more). */
const MAX_CANDIDATES = 300;

/**
 * The vendored NanoDet: a dense GFL detector whose graph ends at per-cell class scores and box distributions,
 * decoded here (`decodeNanoDet`) and de-duplicated by per-class NMS at NANODET_NMS_IOU.
 */
export class NanoDetModel implements DetectorModel {
  readonly name = 'nanodet' as const;
  readonly id = NANODET_MODEL_ID;
  readonly inputSize = NANODET_INPUT_SIZE;

  private constructor(
    private readonly graph: GraphModel,
    private readonly modelDir: string,
  ) {}

  /** Builds the model from its files' artifacts, read and checked by `readModelArtifacts` (see MODEL_SPECS). */
  static async fromArtifacts(artifacts: tf.io.ModelArtifacts, modelDir: string): Promise<NanoDetModel> {
    const graph = await graphFromArtifacts(artifacts, modelDir, NANODET_GRAPH_FILE);
    checkInputShape(graph, modelDir, NANODET_INPUT_NODE, [1, 3, NANODET_INPUT_SIZE, NANODET_INPUT_SIZE]);
    return new NanoDetModel(graph, modelDir);
  }

  async run(image: RgbImage, mirrored: boolean, filter: PassFilter): Promise<Detection[]> {
    const size = this.inputSize;
    const outputs = tf.tidy(() => {
      const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3], 'float32');
      let x: tf.Tensor3D = tf.image.resizeBilinear(pixels, [size, size]);
      if (mirrored) x = tf.reverse(x, 1);
      const bgr = tf.reverse(x, 2);
      const normalised = tf.div(tf.sub(bgr, tf.tensor1d([...NANODET_MEAN])), tf.tensor1d([...NANODET_STD]));
      const input = tf.expandDims(tf.transpose(normalised, [2, 0, 1]), 0);
      return this.graph.execute({ [NANODET_INPUT_NODE]: input }, [
        ...NANODET_SCORE_OUTPUTS,
        ...NANODET_BOX_OUTPUTS,
      ]) as tf.Tensor[];
    });
    let data: Float32Array[];
    try {
      outputs.forEach((output, i) => {
        const columns = i < NANODET_STRIDES.length ? 80 : NANODET_BOX_COLUMNS;
        const stride = NANODET_STRIDES[i % NANODET_STRIDES.length];
        const cells = (size / stride) ** 2;
        if (output.shape.join(',') !== `1,${cells},${columns}`) {
          const name = [...NANODET_SCORE_OUTPUTS, ...NANODET_BOX_OUTPUTS][i];
          throw new DetectorModelLoadError(
            this.modelDir,
            `output ${name} has shape [${output.shape.join(',')}], expected [1,${cells},${columns}]`,
          );
        }
      });
      data = (await Promise.all(outputs.map((output) => output.data()))) as Float32Array[];
    } finally {
      for (const output of outputs) output.dispose();
    }
    const levels: NanoDetLevel[] = NANODET_STRIDES.map((stride, i) => ({
      stride,
      scores: data[i],
      boxes: data[i + NANODET_STRIDES.length],
    }));
    const decoded = decodeNanoDet(levels, image.width, image.height, { ...filter, inputSize: size });
    const detections = nonMaxSuppression(decoded, NANODET_NMS_IOU, MAX_CANDIDATES);
    return mirrored ? mirrorDetections(detections, image.width) : detections;
  }

  dispose(): void {
    this.graph.dispose();
  }
}
