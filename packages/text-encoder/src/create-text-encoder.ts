import type { BackendName, EncoderBackend, ProgressListener } from './encoder-backend';
import { TextEncoderBackendError } from './errors';
import { CachedTextEncoder, type TextEncoderCacheOptions } from './text-encoder';

export interface TextEncoderOptions extends TextEncoderCacheOptions {
  /** `use-lite` (default; 512-d, offline, ships with the package) or `minilm` (384-d; needs its weights). */
  backend?: BackendName;
  /** minilm: the local model directory; defaults to the TASAM_TEXT_MODEL_DIR environment variable. */
  modelDir?: string;
  /** minilm: download from the Hugging Face hub when the model directory holds no model. Off by default. */
  allowDownload?: boolean;
  /** minilm: where downloaded models are kept. */
  downloadDir?: string;
  /** Loading and download messages, e.g. for a CLI's stderr. */
  onProgress?: ProgressListener;
  /** Where TASAM_TEXT_MODEL_DIR is read; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
}

export const TEXT_ENCODER_BACKENDS: readonly BackendName[] = ['use-lite', 'minilm'];

/** Loads the chosen backend's model and wraps it with validation, caching and batching. */
export async function createTextEncoder(options: TextEncoderOptions = {}): Promise<CachedTextEncoder> {
  const backendName = options.backend ?? 'use-lite';
  let backend: EncoderBackend;
  // Each backend's runtime (tfjs, or transformers.js with onnxruntime) is loaded only when it is chosen.
  if (backendName === 'use-lite') {
    const { loadUseLite } =
      require('./use-lite/use-lite-backend') as typeof import('./use-lite/use-lite-backend');
    backend = await loadUseLite(options.onProgress);
  } else if (backendName === 'minilm') {
    const { loadMiniLm } = require('./minilm/minilm-backend') as typeof import('./minilm/minilm-backend');
    backend = await loadMiniLm({
      modelDir: options.modelDir ?? ((options.env ?? process.env).TASAM_TEXT_MODEL_DIR || undefined),
      allowDownload: options.allowDownload ?? false,
      downloadDir: options.downloadDir,
      onProgress: options.onProgress,
    });
  } else {
    throw new TextEncoderBackendError(backendName);
  }
  return new CachedTextEncoder(backend, options);
}
