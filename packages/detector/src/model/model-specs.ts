import type * as tf from '@tensorflow/tfjs-core';
import type { ShippedModelName } from '../types';
import {
  CENTERNET_GRAPH_FILE,
  CENTERNET_MODEL_ID,
  CENTERNET_SHA256,
  DETECTOR_INPUT_SIZE,
} from './centernet-constants';
import type * as CenterNet from './centernet-model';
import type { DetectorModel } from './detector-model';
import { readModelArtifacts } from './model-files';
import {
  NANODET_GRAPH_FILE,
  NANODET_INPUT_SIZE,
  NANODET_MODEL_ID,
  NANODET_SHA256,
} from './nanodet-constants';
import type * as NanoDet from './nanodet-model';

/**
 * How each model is read from disk and built. The model modules load tfjs (~50 ms) and are required only when a
 * model is built: a process whose models all run in worker threads never loads tfjs on its main thread.
 */
interface ModelSpec {
  id: string;
  inputSize: number;
  graphFile: string;
  checksums: Readonly<Record<string, string>>;
  build(artifacts: tf.io.ModelArtifacts, modelDir: string): Promise<DetectorModel>;
}

const MODEL_SPECS: Record<ShippedModelName, ModelSpec> = {
  centernet: {
    id: CENTERNET_MODEL_ID,
    inputSize: DETECTOR_INPUT_SIZE,
    graphFile: CENTERNET_GRAPH_FILE,
    checksums: CENTERNET_SHA256,
    build: (artifacts, modelDir) =>
      (require('./centernet-model') as typeof CenterNet).CenterNetModel.fromArtifacts(artifacts, modelDir),
  },
  nanodet: {
    id: NANODET_MODEL_ID,
    inputSize: NANODET_INPUT_SIZE,
    graphFile: NANODET_GRAPH_FILE,
    checksums: NANODET_SHA256,
    build: (artifacts, modelDir) =>
      (require('./nanodet-model') as typeof NanoDet).NanoDetModel.fromArtifacts(artifacts, modelDir),
  },
};

/** Reads a model's files from `modelDir`, checking their SHA-256 when `verify` (typed errors name the file). */
export function readModel(
  name: ShippedModelName,
  modelDir: string,
  verify: boolean,
): Promise<tf.io.ModelArtifacts> {
  const spec = MODEL_SPECS[name];
  return readModelArtifacts(modelDir, verify, spec.graphFile, spec.checksums);
}

/** Builds a model, on this thread's tfjs engine, from the artifacts `readModel` gave. */
export function buildModel(
  name: ShippedModelName,
  artifacts: tf.io.ModelArtifacts,
  modelDir: string,
): Promise<DetectorModel> {
  const spec = MODEL_SPECS[name];
  return spec.build(artifacts, modelDir);
}

/** A model's id (name and version) and input side, known without loading it. */
export function modelInfo(name: ShippedModelName): { id: string; inputSize: number } {
  const { id, inputSize } = MODEL_SPECS[name];
  return { id, inputSize };
}
