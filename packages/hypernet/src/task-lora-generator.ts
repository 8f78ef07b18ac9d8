import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LoraWeights, readFileBytes } from '@tasam/lora';
import { type CheckpointExpectation, decodeHypernet } from './checkpoint';
import { CheckpointFormatError, HypernetConfigError } from './errors';
import type { Hypernetwork } from './hypernetwork';
import type { TaskMaskScorer } from './task-mask-scorer';
import { tf, useBackend } from './tf';

/** The text-encoder side a generator needs (`@tasam/text-encoder`'s TextEncoder satisfies it). */
export interface TaskEmbedder {
  readonly id: string;
  readonly dim: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** The checkpoint shipped in this package (trained on coco-mini train2017; see checkpoints/MODEL_CARD.md). */
export function defaultCheckpointPath(): string {
  return join(__dirname, '..', 'checkpoints', 'default.safetensors');
}

/**
 * Generates a task's LoRA from a trained hypernetwork: text → embedding → hypernetwork forward (eval mode)
 * → LoraWeights for the decoder heads. Results are cached per (checkpoint, task text), so a repeated task
 * costs a map lookup.
 */
export class TaskLoraGenerator {
  private readonly cache = new Map<string, LoraWeights>();

  private constructor(
    readonly net: Hypernetwork,
    /** Content hash of the checkpoint (the cache key's first half). */
    readonly checkpointId: string,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly encoder?: TaskEmbedder,
    /** The checkpoint's task scorer (undefined for checkpoints trained before it existed). */
    readonly scorer?: TaskMaskScorer,
    private readonly maxCacheEntries = 256,
  ) {}

  /** From a hypernetwork already in memory (e.g. right after training). */
  static fromNetwork(
    net: Hypernetwork,
    encoder?: TaskEmbedder,
    checkpointId = 'in-memory',
    scorer?: TaskMaskScorer,
  ): TaskLoraGenerator {
    if (encoder) checkEncoder(net, encoder, checkpointId);
    return new TaskLoraGenerator(net, checkpointId, {}, encoder, scorer);
  }

  /**
   * Loads a checkpoint (default: the shipped one) and checks that `encoder` is the text encoder it was
   * trained with (CheckpointMismatchError otherwise).
   */
  static async load(
    options: { checkpoint?: string; encoder?: TaskEmbedder; expect?: CheckpointExpectation } = {},
  ): Promise<TaskLoraGenerator> {
    await useBackend();
    const path = options.checkpoint ?? defaultCheckpointPath();
    if (!existsSync(path)) {
      throw new CheckpointFormatError(path, 'no such checkpoint file (train one with `tasam train`)');
    }
    const bytes = await readFileBytes(path);
    const expect = { ...options.expect, ...(options.encoder ? { textEncoderId: options.encoder.id } : {}) };
    const { net, metadata, scorer } = decodeHypernet(bytes, path, expect);
    const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    if (options.encoder) checkEncoder(net, options.encoder, path);
    return new TaskLoraGenerator(net, id, metadata, options.encoder, scorer);
  }

  get textEncoderId(): string {
    return this.net.config.textEncoderId;
  }

  /** The task's sentence embedding (needs the encoder given at load). */
  async taskEmbedding(task: string): Promise<Float32Array> {
    if (!this.encoder) throw new HypernetConfigError('task', 'this generator has no text encoder');
    const [vector] = await this.encoder.embed([task]);
    return vector;
  }

  /** The LoRA for a task text (needs the encoder given at load). */
  async generate(task: string): Promise<LoraWeights> {
    const key = `${this.checkpointId}\u0000${task}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (!this.encoder)
      throw new HypernetConfigError('task', 'this generator has no text encoder; use generateFromEmbedding');
    const [vector] = await this.encoder.embed([task]);
    const lora = this.generateFromEmbedding(vector, task);
    this.remember(key, lora);
    return lora;
  }

  /** The LoRA for a precomputed task embedding (no caching: the caller owns the vector). */
  generateFromEmbedding(vector: Float32Array, task?: string): LoraWeights {
    const { config } = this.net;
    if (vector.length !== config.textDim) {
      throw new HypernetConfigError(
        'task embedding',
        `has ${vector.length} values, the hypernetwork reads ${config.textDim}`,
      );
    }
    // A manual scope: tf.tidy would walk the returned typed arrays element by element.
    tf.engine().startScope();
    let arrays: Map<string, { a: Float32Array; b: Float32Array }>;
    try {
      const out = this.net.forward(tf.tensor2d(vector, [1, config.textDim]));
      const layers = new Map<string, { a: Float32Array; b: Float32Array }>();
      for (const [path, { a, b }] of out) {
        layers.set(path, { a: a.dataSync() as Float32Array, b: b.dataSync() as Float32Array });
      }
      arrays = layers;
    } finally {
      tf.engine().endScope();
    }
    const layers = new Map(
      config.targets.map((t) => {
        const { a, b } = arrays.get(t.path) as { a: Float32Array; b: Float32Array };
        return [t.path, { a, b, inFeatures: t.inFeatures, outFeatures: t.outFeatures }] as const;
      }),
    );
    return new LoraWeights({
      rank: config.rank,
      alpha: config.alpha,
      layers,
      metadata: {
        textEncoder: config.textEncoderId,
        ...(task !== undefined ? { task } : {}),
        extra: { hypernet_checkpoint: this.checkpointId },
      },
    });
  }

  private remember(key: string, lora: LoraWeights): void {
    if (this.cache.size >= this.maxCacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, lora);
  }

  dispose(): void {
    this.net.dispose();
    this.cache.clear();
  }
}

function checkEncoder(net: Hypernetwork, encoder: TaskEmbedder, source: string): void {
  if (encoder.dim !== net.config.textDim) {
    throw new HypernetConfigError(
      source,
      `text encoder ${encoder.id} gives ${encoder.dim}-d vectors, the checkpoint reads ${net.config.textDim}-d`,
    );
  }
}
