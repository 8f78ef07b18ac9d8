export { DiskVectorCache } from './cache/disk-vector-cache';
export { LruCache } from './cache/lru-cache';
export { createTextEncoder, TEXT_ENCODER_BACKENDS, type TextEncoderOptions } from './create-text-encoder';
export type { BackendName, EncoderBackend, ProgressListener } from './encoder-backend';
export {
  TextCacheError,
  TextEncoderBackendError,
  TextEncoderDisposedError,
  TextEncoderInputError,
  TextModelLoadError,
  TextModelMissingError,
  TextTooLongError,
} from './errors';
export { meanPool } from './minilm/mean-pooling';
export { MINILM_DEFAULT_MAX_TOKENS, MINILM_HUB_MODEL } from './minilm/minilm-model-dir';
export { MAX_TEXT_CHARS, normaliseTaskTexts } from './task-text';
export {
  CachedTextEncoder,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MEMORY_CACHE_SIZE,
  type EmbedStats,
  type TextEncoder,
  type TextEncoderCacheOptions,
} from './text-encoder';
export { locateUseLite } from './use-lite/use-lite-backend';
export { USE_LITE_DIM } from './use-lite/use-lite-constants';
export { cosineSimilarity, l2Normalise } from './vector-math';
