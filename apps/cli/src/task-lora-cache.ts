import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CheckpointFormatError,
  CheckpointMismatchError,
  decodeScorer,
  defaultCheckpointPath,
  TaskLoraGenerator,
  type TaskMaskScorer,
} from '@tasam/hypernet';
import {
  decodeSafetensors,
  type LoraWeights,
  loadLora,
  readSafetensorsHeader,
  saveLora,
  writeFileAtomic,
} from '@tasam/lora';
import type { TaskLoraSource } from '@tasam/task-segmentation';
import { createTextEncoder, type TextEncoder } from '@tasam/text-encoder';
import { checkpointContentId } from './checkpoint-id';

/** The file beside the LoRAs that remembers checkpoints' content ids (see checkpointContentId). */
const CHECKPOINT_ID_MEMO = 'checkpoint-ids.json';

export type LoraCacheStatus = 'memory' | 'hit' | 'generated';

export interface TaskLoraCacheOptions {
  /** Hypernetwork checkpoint (default: the shipped one). */
  checkpoint?: string;
  encoder?: 'use-lite' | 'minilm';
  /** Directory of LoRA files (`cacheDir('loras')`); none = generate every time. */
  loraDir?: string;
  /** Directory of cached text vectors (`cacheDir('text')`). */
  textDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Task LoRAs from files keyed by (checkpoint content hash, encoder, task text), generated on a miss. The text
 * encoder and the hypernetwork are loaded only on the first miss, so a repeated task costs reading one small
 * file instead of loading tfjs, the sentence encoder and the hypernetwork.
 */
export class TaskLoraCache implements TaskLoraSource {
  private readonly memory = new Map<string, LoraWeights>();
  private readonly embeddings = new Map<string, Float32Array>();
  private encoderLoading?: Promise<TextEncoder>;
  private loading?: Promise<{ generator: TaskLoraGenerator; encoder: TextEncoder }>;
  /** The task scorer once decoded (`{}` for a checkpoint without one). */
  private decoded?: { scorer?: TaskMaskScorer };
  /** What happened to each task asked for, in order. */
  readonly statuses: { task: string; status: LoraCacheStatus }[] = [];

  private constructor(
    readonly checkpoint: string,
    readonly checkpointId: string,
    private readonly options: TaskLoraCacheOptions,
    /** The text encoder the checkpoint was trained with (from its metadata). */
    private readonly textEncoderId?: string,
    /** The sentence embedding's width the checkpoint expects (from its metadata). */
    private readonly textDim?: number,
  ) {}

  /**
   * The checkpoint's task scorer, read without loading the hypernetwork (undefined in old checkpoints). Decoded
   * on first use: grounded tasks never need it, and converting its float16 weights costs tens of ms at start-up.
   */
  get scorer(): TaskMaskScorer | undefined {
    if (!this.decoded) {
      let contents: ReturnType<typeof decodeSafetensors>;
      try {
        contents = decodeSafetensors(readFileSync(this.checkpoint), this.checkpoint);
      } catch (cause) {
        throw new CheckpointFormatError(this.checkpoint, 'not a valid safetensors file', { cause });
      }
      this.decoded = { scorer: decodeScorer(contents, this.checkpoint) };
    }
    return this.decoded.scorer;
  }

  /**
   * The checkpoint's content id (as TaskLoraGenerator computes it, so ids agree; remembered beside the LoRAs by
   * the file's identity) and the metadata of its header; nothing else is read yet.
   */
  static async open(options: TaskLoraCacheOptions = {}): Promise<TaskLoraCache> {
    const checkpoint = options.checkpoint ?? defaultCheckpointPath();
    if (!existsSync(checkpoint)) {
      throw new CheckpointFormatError(checkpoint, 'no such checkpoint file (train one with `tasam train`)');
    }
    let config: { textEncoderId?: string; textDim?: number };
    try {
      config = JSON.parse(readSafetensorsHeader(checkpoint).metadata.config ?? '{}');
    } catch (cause) {
      throw new CheckpointFormatError(checkpoint, 'not a valid safetensors file', { cause });
    }
    const memo = options.loraDir ? join(options.loraDir, CHECKPOINT_ID_MEMO) : undefined;
    if (memo) await mkdir(dirname(memo), { recursive: true }).catch(() => undefined);
    const id = await checkpointContentId(checkpoint, memo);
    return new TaskLoraCache(checkpoint, id, options, config.textEncoderId, config.textDim);
  }

  /** A cache file beside the LoRAs for a task, keyed by (encoder, task text); none without a LoRA directory. */
  private taskFile(task: string, name: (key: string) => string): string | undefined {
    const { loraDir, encoder = 'use-lite' } = this.options;
    if (!loraDir) return undefined;
    const key = createHash('sha256').update(`${encoder}\u0000${task}`).digest('hex').slice(0, 16);
    return join(loraDir, name(key));
  }

  /** The task's sentence embedding: memory, then a small file beside the LoRAs, then the text encoder. */
  async taskEmbedding(task: string): Promise<Float32Array> {
    const known = this.embeddings.get(task);
    if (known) return known;
    const file = this.taskFile(task, (key) => `text-${key}.f32`);
    let vector: Float32Array | undefined;
    if (file && existsSync(file)) {
      const bytes = await readFile(file);
      // A truncated or foreign file is recomputed, not trusted.
      const expected = this.textDim;
      if (
        bytes.length > 0 &&
        bytes.length % 4 === 0 &&
        (expected === undefined || bytes.length === expected * 4)
      )
        vector = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    }
    if (!vector) {
      // The encoder alone: the hypernetwork (tfjs) is not needed for an embedding.
      [vector] = await (await this.loadEncoder()).embed([task]);
      if (file) {
        await mkdir(dirname(file), { recursive: true });
        await writeFileAtomic(file, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
      }
    }
    this.embeddings.set(task, vector);
    return vector;
  }

  async generate(task: string): Promise<LoraWeights> {
    const known = this.memory.get(task);
    if (known) {
      this.statuses.push({ task, status: 'memory' });
      return known;
    }
    const file = this.taskFile(task, (key) => `${this.checkpointId}-${key}.safetensors`);
    let lora: LoraWeights | undefined;
    let status: LoraCacheStatus = 'hit';
    if (file && existsSync(file)) {
      // An unreadable entry (e.g. from another version) is regenerated, not fatal.
      lora = await loadLora(file).catch(() => undefined);
    }
    if (!lora) {
      status = 'generated';
      const { generator } = await this.load();
      lora = await generator.generate(task);
      if (file) {
        await mkdir(dirname(file), { recursive: true });
        await saveLora(file, lora);
      }
    }
    this.memory.set(task, lora);
    this.statuses.push({ task, status });
    return lora;
  }

  /** Loads the text encoder and the hypernetwork now (e.g. before many tasks), if not loaded yet. */
  load(): Promise<{ generator: TaskLoraGenerator; encoder: TextEncoder }> {
    this.loading ??= (async () => {
      const encoder = await this.loadEncoder();
      const generator = await TaskLoraGenerator.load({ checkpoint: this.checkpoint, encoder });
      return { generator, encoder };
    })();
    return this.loading;
  }

  /** The checkpoint's text encoder (loaded on first use), e.g. to ground tasks with the same vectors. */
  textEncoder(): Promise<TextEncoder> {
    return this.loadEncoder();
  }

  /** The text encoder alone, refused (as TaskLoraGenerator.load would) unless it is the checkpoint's. */
  private loadEncoder(): Promise<TextEncoder> {
    this.encoderLoading ??= (async () => {
      const encoder = await createTextEncoder({
        backend: this.options.encoder ?? 'use-lite',
        cacheDir: this.options.textDir,
        env: this.options.env,
      });
      if (this.textEncoderId !== undefined && encoder.id !== this.textEncoderId) {
        await encoder.dispose();
        throw new CheckpointMismatchError(this.checkpoint, 'text encoder', this.textEncoderId, encoder.id);
      }
      return encoder;
    })();
    return this.encoderLoading;
  }

  async dispose(): Promise<void> {
    const loaded = await this.loading?.catch(() => undefined);
    const encoder = await this.encoderLoading?.catch(() => undefined);
    this.loading = undefined;
    this.encoderLoading = undefined;
    loaded?.generator.dispose();
    await encoder?.dispose();
  }
}
