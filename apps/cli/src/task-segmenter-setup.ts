import { type EncoderPrecision, SamRuntime } from '@tasam/sam-runtime';
import { TaskSegmenter } from '@tasam/task-segmentation';
import { cacheDir } from './cache-dir';
import { type CliIO, writeLine } from './cli-context';
import { TaskLoraCache } from './task-lora-cache';

export interface TaskSegmenterSetup {
  /** Hypernetwork checkpoint (default: the one shipped with @tasam/hypernet). */
  checkpoint?: string;
  /** Text encoder backend; must be the one the checkpoint was trained with. */
  encoder?: 'use-lite' | 'minilm';
  threads?: number;
  provider?: string;
  /** SAM image encoder (default int8, see @tasam/sam-runtime). */
  encoderPrecision?: EncoderPrecision;
  /** Read and write the embedding, LoRA and text-vector caches (default true). */
  cache?: boolean;
}

export interface LoadedTaskSegmenter {
  segmenter: TaskSegmenter;
  loras: TaskLoraCache;
  checkpoint: string;
  dispose(): Promise<void>;
}

/**
 * SAM (embedding cache on) and the task LoRAs (LoRA file cache; text encoder and hypernetwork loaded on the
 * first uncached task). The checkpoint is checked before SAM is loaded, so a missing one fails fast.
 */
export async function loadTaskSegmenter(io: CliIO, setup: TaskSegmenterSetup): Promise<LoadedTaskSegmenter> {
  const cache = setup.cache ?? true;
  const loras = await TaskLoraCache.open({
    checkpoint: setup.checkpoint,
    encoder: setup.encoder,
    loraDir: cache ? cacheDir('loras', io.env) : undefined,
    textDir: cache ? cacheDir('text', io.env) : undefined,
    env: io.env,
  });
  const runtime = await SamRuntime.create({
    modelCacheDir: cacheDir('models', io.env),
    optimizedModelDir: cacheDir('models', io.env),
    embeddingCacheDir: cache ? cacheDir('embeddings', io.env) : undefined,
    intraOpThreads: setup.threads,
    encoderPrecision: setup.encoderPrecision,
    executionProvider: setup.provider,
    log: (line) => writeLine(io.stderr, line),
  });
  return {
    segmenter: new TaskSegmenter(runtime, loras),
    loras,
    checkpoint: loras.checkpoint,
    async dispose() {
      await Promise.all([runtime.dispose(), loras.dispose()]);
    },
  };
}
