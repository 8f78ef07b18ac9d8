import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import { ensureWasmBackend } from '../backend';
import { DetectorModelLoadError } from '../errors';
import { readModelArtifacts } from './model-files';

/**
 * Reads a graph model's files from `modelDir` (checksums checked when `verify`), makes wasm tfjs' active
 * backend and builds the graph. Nothing is fetched.
 */
export async function buildGraphModel(
  modelDir: string,
  graphFile: string,
  checksums: Readonly<Record<string, string>>,
  verify: boolean,
): Promise<GraphModel> {
  const artifacts = await readModelArtifacts(modelDir, verify, graphFile, checksums);
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
