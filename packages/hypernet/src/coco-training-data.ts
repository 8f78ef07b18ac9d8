import { loadImageRgb, type Sample, SampleStream } from '@tasam/coco-data';
import type { Prompt, SamRuntime, Tensor32 } from '@tasam/sam-runtime';
import { TrainingDataError } from './errors';
import { letterboxTarget } from './letterbox-target';
import { mixSeed, Rng } from './rng';
import type { TaskEmbedder } from './task-lora-generator';
import type { TrainingBatch, TrainingData } from './trainer';

export interface CocoTrainingDataOptions {
  coco: string;
  split: string;
  epochs: number;
  seed: number;
  /** Samples per step (all from one image: one batched trunk run). */
  batchSize?: number;
  /** At most this many samples of an image per epoch, drawn afresh each epoch (bounds epoch time). */
  maxSamplesPerImage?: number;
  /** Only these images (e.g. a quick run); default all. */
  maxImages?: number;
  runtime: SamRuntime;
  encoder: TaskEmbedder;
  onProgress?: (message: string) => void;
}

/** Whether SAM's decoder returns multimask outputs for this prompt (one point and no box). */
export function isMultimaskPrompt(sample: Pick<Sample, 'points' | 'box'>): boolean {
  return sample.points.length === 1 && !sample.box;
}

export function samplePrompt(sample: Pick<Sample, 'points' | 'box'>): Prompt {
  return {
    points: sample.points.map((p) => ({ x: p.x, y: p.y, label: p.label })),
    ...(sample.box ? { box: [...sample.box] as [number, number, number, number] } : {}),
  };
}

/**
 * coco-data's task-aware samples (instance, category, negative; new points and tasks each epoch) as
 * training batches: grouped by image, image order shuffled per (seed, epoch), each batch one trunk run on
 * the cached image embedding. Everything is derived from (seed, epoch), so a resumed run sees the same batches.
 */
export class CocoTrainingData implements TrainingData {
  taskVectors: Float32Array[] = [];
  private readonly epochs: { samples: Sample[]; taskIndex: number[] }[][] = [];
  private lastImage?: { path: string; embedding: Tensor32 };

  private constructor(private readonly options: CocoTrainingDataOptions) {}

  static async create(options: CocoTrainingDataOptions): Promise<CocoTrainingData> {
    const data = new CocoTrainingData(options);
    await data.prepare();
    return data;
  }

  get sampleCount(): number {
    return this.epochs.reduce((sum, e) => sum + e.reduce((s, b) => s + b.samples.length, 0), 0);
  }

  /** Distinct image paths used (for the embedding pass). */
  imagePaths(): string[] {
    return [...new Set(this.epochs.flatMap((e) => e.map((b) => b.samples[0].imagePath)))].sort();
  }

  private async prepare(): Promise<void> {
    const { coco, split, seed, epochs } = this.options;
    const batchSize = this.options.batchSize ?? 8;
    const maxPerImage = this.options.maxSamplesPerImage ?? 12;
    const tasks = new Map<string, number>();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const stream = await SampleStream.open({ coco, split, seed, epoch, shuffle: false });
      const byImage = new Map<number, Sample[]>();
      for (const sample of stream) {
        const list = byImage.get(sample.imageId);
        if (list) list.push(sample);
        else byImage.set(sample.imageId, [sample]);
      }
      const rng = new Rng(mixSeed(seed, epoch, 0x7a5a));
      let imageIds = [...byImage.keys()].sort((a, b) => a - b);
      if (this.options.maxImages !== undefined) imageIds = imageIds.slice(0, this.options.maxImages);
      rng.shuffle(imageIds);
      const batches: { samples: Sample[]; taskIndex: number[] }[] = [];
      for (const imageId of imageIds) {
        const chosen = rng.shuffle([...(byImage.get(imageId) as Sample[])]).slice(0, maxPerImage);
        for (let i = 0; i < chosen.length; i += batchSize) {
          const samples = chosen.slice(i, i + batchSize);
          const taskIndex = samples.map((s) => {
            let id = tasks.get(s.task);
            if (id === undefined) {
              id = tasks.size;
              tasks.set(s.task, id);
            }
            return id;
          });
          batches.push({ samples, taskIndex });
        }
      }
      if (batches.length === 0) throw new TrainingDataError(`${coco} ${split}`, 'yields no training samples');
      this.epochs.push(batches);
    }
    const texts = [...tasks.keys()];
    this.options.onProgress?.(`embedding ${texts.length} task texts with ${this.options.encoder.id}`);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += 256)
      vectors.push(...(await this.options.encoder.embed(texts.slice(i, i + 256))));
    this.taskVectors = vectors;
  }

  batchesPerEpoch(epoch: number): number {
    return this.epochs[epoch]?.length ?? 0;
  }

  async embeddingOf(imagePath: string): Promise<Tensor32> {
    if (this.lastImage?.path === imagePath) return this.lastImage.embedding;
    const image = await loadImageRgb(imagePath);
    const { embedding } = await this.options.runtime.embedImage(image);
    this.lastImage = { path: imagePath, embedding };
    return embedding;
  }

  async *batches(epoch: number, start: number): AsyncIterable<TrainingBatch> {
    const list = this.epochs[epoch] ?? [];
    for (let b = start; b < list.length; b++) {
      const { samples, taskIndex } = list[b];
      const first = samples[0];
      const embedding = await this.embeddingOf(first.imagePath);
      const trunk = await this.options.runtime.trunk(embedding, samples.map(samplePrompt), {
        width: first.width,
        height: first.height,
      });
      yield {
        trunk,
        samples: samples.map((s, i) => ({
          taskIndex: taskIndex[i],
          multimask: isMultimaskPrompt(s),
          negative: s.kind === 'negative',
          target: letterboxTarget(s.target),
        })),
      };
    }
  }
}
