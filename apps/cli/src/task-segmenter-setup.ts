import { defaultCheckpointPath, TaskLoraGenerator, TaskSegmenter } from '@tasam/hypernet';
import { SamRuntime } from '@tasam/sam-runtime';
import { createTextEncoder, type TextEncoder } from '@tasam/text-encoder';
import { cacheDir } from './cache-dir';
import { type CliIO, writeLine } from './cli-context';

export interface TaskSegmenterSetup {
  /** Hypernetwork checkpoint (default: the one shipped with @tasam/hypernet). */
  checkpoint?: string;
  /** Text encoder backend; must be the one the checkpoint was trained with. */
  encoder?: 'use-lite' | 'minilm';
  threads?: number;
  provider?: string;
  /** Read and write the embedding and text-vector caches (default true). */
  cache?: boolean;
}

export interface LoadedTaskSegmenter {
  segmenter: TaskSegmenter;
  encoder: TextEncoder;
  checkpoint: string;
  dispose(): Promise<void>;
}

/** SAM (embedding cache on), the text encoder (vector cache on) and the hypernetwork, loaded in parallel. */
export async function loadTaskSegmenter(io: CliIO, setup: TaskSegmenterSetup): Promise<LoadedTaskSegmenter> {
  const cache = setup.cache ?? true;
  const checkpoint = setup.checkpoint ?? defaultCheckpointPath();
  const [runtime, encoder] = await Promise.all([
    SamRuntime.create({
      modelCacheDir: cacheDir('models', io.env),
      optimizedModelDir: cacheDir('models', io.env),
      embeddingCacheDir: cache ? cacheDir('embeddings', io.env) : undefined,
      intraOpThreads: setup.threads,
      executionProvider: setup.provider,
      log: (line) => writeLine(io.stderr, line),
    }),
    createTextEncoder({
      backend: setup.encoder ?? 'use-lite',
      cacheDir: cache ? cacheDir('text', io.env) : undefined,
      env: io.env,
    }),
  ]);
  try {
    const generator = await TaskLoraGenerator.load({ checkpoint, encoder });
    const segmenter = new TaskSegmenter(runtime, generator);
    return {
      segmenter,
      encoder,
      checkpoint,
      async dispose() {
        generator.dispose();
        await Promise.all([runtime.dispose(), encoder.dispose()]);
      },
    };
  } catch (error) {
    await Promise.all([runtime.dispose(), encoder.dispose()]);
    throw error;
  }
}
