/**
 * What a model contributes to a `TextEncoder`: vectors for a batch of texts that are already validated and
 * normalised. Caching, batching, validation and L2 normalisation live in one place (`CachedTextEncoder`).
 */
export interface EncoderBackend {
  /** Names the model and its version; hypernetwork checkpoints record it. */
  readonly id: string;
  readonly dim: number;
  encode(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void> | void;
}

export type BackendName = 'use-lite' | 'minilm';

/** Progress and notes while loading a model (which file, download progress); for a CLI's stderr. */
export type ProgressListener = (message: string) => void;
