import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';
import { ensureWasmBackend } from '../backend';
import { DetectorModelLoadError } from '../errors';

/**
 * Makes wasm tfjs' active backend and builds a graph from artifacts already read and checked
 * (`readModelArtifacts`). Nothing is fetched.
 */
export async function graphFromArtifacts(
  artifacts: tf.io.ModelArtifacts,
  modelDir: string,
  graphFile: string,
): Promise<GraphModel> {
  await ensureWasmBackend();
  try {
    return await loadGraphModel({ load: async () => artifacts });
  } catch (cause) {
    throw new DetectorModelLoadError(
      modelDir,
      `cannot build the graph of ${graphFile}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Throws DetectorModelLoadError (and disposes the graph) unless `node` is an input of exactly `shape`. */
export function checkInputShape(
  graph: GraphModel,
  modelDir: string,
  node: string,
  shape: readonly number[],
): void {
  const input = graph.inputs.find((candidate) => candidate.name === node);
  const actual = input?.shape?.join(',');
  if (actual === shape.join(',')) return;
  graph.dispose();
  throw new DetectorModelLoadError(
    modelDir,
    `expected an input ${node} of shape [${shape.join(',')}], ` +
      `found ${input ? `[${actual}]` : `inputs ${graph.inputs.map((candidate) => candidate.name).join(', ')}`}`,
  );
}
