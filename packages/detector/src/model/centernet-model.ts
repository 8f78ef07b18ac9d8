import type { RgbImage } from '@tasam/coco-data';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { decodeDetections } from '../decode';
import { DetectorModelLoadError } from '../errors';
import { mirrorDetections } from '../merge';
import type { Detection } from '../types';
import {
  CENTERNET_GRAPH_FILE,
  CENTERNET_INPUT_NODE,
  CENTERNET_MODEL_ID,
  CENTERNET_OUTPUT_NODE,
  CENTERNET_ROW_LENGTH,
  DETECTOR_INPUT_SIZE,
} from './centernet-constants';
import type { DetectorModel, PassFilter } from './detector-model';
import { checkInputShape, graphFromArtifacts } from './graph-model';
import { toInputTensor } from './input-tensor';

/** The vendored MobileNetV3 CenterNet: its graph decodes and score-sorts 100 rows itself. */
export class CenterNetModel implements DetectorModel {
  readonly name = 'centernet' as const;
  readonly id = CENTERNET_MODEL_ID;
  readonly inputSize = DETECTOR_INPUT_SIZE;

  private constructor(
    private readonly graph: GraphModel,
    private readonly modelDir: string,
  ) {}

  /** Builds the model from its files' artifacts, read and checked by `readModelArtifacts` (see MODEL_SPECS). */
  static async fromArtifacts(artifacts: tf.io.ModelArtifacts, modelDir: string): Promise<CenterNetModel> {
    const graph = await graphFromArtifacts(artifacts, modelDir, CENTERNET_GRAPH_FILE);
    checkInputShape(graph, modelDir, CENTERNET_INPUT_NODE, [1, DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE, 3]);
    return new CenterNetModel(graph, modelDir);
  }

  async run(image: RgbImage, mirrored: boolean, filter: PassFilter): Promise<Detection[]> {
    const input = toInputTensor(image, this.inputSize);
    let output: tf.Tensor;
    try {
      output = tf.tidy(
        () =>
          this.graph.execute(
            { [CENTERNET_INPUT_NODE]: mirrored ? tf.reverse(input, 2) : input },
            CENTERNET_OUTPUT_NODE,
          ) as tf.Tensor,
      );
    } finally {
      input.dispose();
    }
    let raw: Float32Array;
    try {
      const [batch, , columns] = output.shape;
      if (output.rank !== 3 || batch !== 1 || columns !== CENTERNET_ROW_LENGTH) {
        throw new DetectorModelLoadError(
          this.modelDir,
          `output ${CENTERNET_OUTPUT_NODE} has shape [${output.shape.join(',')}], expected [1,N,${CENTERNET_ROW_LENGTH}]`,
        );
      }
      raw = (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
    const detections = decodeDetections(raw, image.width, image.height, {
      ...filter,
      inputSize: this.inputSize,
    });
    return mirrored ? mirrorDetections(detections, image.width) : detections;
  }

  dispose(): void {
    this.graph.dispose();
  }
}
