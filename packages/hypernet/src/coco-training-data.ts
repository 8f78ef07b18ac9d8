import {
  type CocoDataset,
  type DetectorBox,
  pickAbsentCategory,
  Rle,
  type Sample,
  SampleStream,
  SeededRandom,
  synthesizeTask,
} from '@tasam/coco-data';
import type { Prompt, SamRuntime } from '@tasam/sam-runtime';
import { type BatchPreparer, InThreadBatchPreparer } from './batch-preparation/batch-preparer';
import { TrainingDataError } from './errors';
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
  /**
   * Probability that an instance or category sample also gets a negative twin: the same prompt with a task
   * naming a category absent from the image (half the time one of the same supercategory), target empty.
   * The twin shares its prompt's trunk run, so it costs no trunk time, and it is the sharpest lesson the IoU
   * head gets: the same object is right for one task and wrong for another. Default 0.5.
   */
  twinProbability?: number;
  /**
   * Probability that an instance (or negative) sample is a jittered box alone, the prompt a detector's box
   * makes in grounded task mode (coco-data's SamplingOptions.boxOnlyProbability). Default 0.
   */
  boxOnlyProbability?: number;
  /**
   * A detector's boxes on the split (COCO results): box-only samples of the instances it found use its boxes
   * (coco-data's SamplingOptions.detectorBoxes). Default none: jittered ground-truth boxes only.
   */
  detectorBoxes?: readonly DetectorBox[];
  runtime: SamRuntime;
  /**
   * Where batches are prepared (embedding, trunk run, targets): by default on this thread with `runtime`;
   * `trainOnCoco` passes a BatchWorker so that this runs while a step computes.
   */
  preparer?: BatchPreparer;
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

const PREFETCH = 3;

/**
 * coco-data's task-aware samples (instance, category, negative; new points and tasks each epoch) as
 * training batches: grouped by image, image order shuffled per (seed, epoch), each batch one trunk run on
 * the cached image embedding. Everything is derived from (seed, epoch), so a resumed run sees the same batches.
 */
export class CocoTrainingData implements TrainingData {
  taskVectors: Float32Array[] = [];
  private readonly epochs: { samples: Sample[]; taskIndex: number[] }[][] = [];
  private readonly preparer: BatchPreparer;

  private constructor(private readonly options: CocoTrainingDataOptions) {
    this.preparer = options.preparer ?? new InThreadBatchPreparer(options.runtime);
  }

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
    const twinProbability = this.options.twinProbability ?? 0.5;
    const tasks = new Map<string, number>();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const stream = await SampleStream.open({
        coco,
        split,
        seed,
        epoch,
        shuffle: false,
        boxOnlyProbability: this.options.boxOnlyProbability,
        detectorBoxes: this.options.detectorBoxes,
      });
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
        const drawn = rng.shuffle([...(byImage.get(imageId) as Sample[])]).slice(0, maxPerImage);
        const chosen: Sample[] = [];
        for (const sample of drawn) {
          chosen.push(sample);
          const random = new SeededRandom(seed, epoch, sample.index, 'twin');
          if (sample.kind !== 'negative' && random.chance(twinProbability)) {
            const twin = negativeTwin(stream.dataset, sample, random);
            if (twin) chosen.push(twin);
          }
        }
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

  /**
   * Batches are requested PREFETCH ahead: with a BatchWorker as preparer they are computed while this thread
   * runs training steps (which block it), so a step rarely waits for its data.
   */
  async *batches(epoch: number, start: number): AsyncIterable<TrainingBatch> {
    const list = this.epochs[epoch] ?? [];
    const ahead: Promise<TrainingBatch>[] = [];
    let next = start;
    const fill = () => {
      while (ahead.length < PREFETCH && next < list.length) {
        const batch = this.prepareBatch(list[next++]);
        batch.catch(() => undefined); // rejections surface when the batch is awaited, in order
        ahead.push(batch);
      }
    };
    fill();
    while (ahead.length > 0) {
      const batch = await (ahead.shift() as Promise<TrainingBatch>);
      fill();
      yield batch;
    }
  }

  private async prepareBatch(entry: { samples: Sample[]; taskIndex: number[] }): Promise<TrainingBatch> {
    const { samples, taskIndex } = entry;
    const first = samples[0];
    // One trunk run per distinct prompt: twins reuse their original's.
    const keys = samples.map((s) => JSON.stringify(samplePrompt(s)));
    const distinct = [...new Set(keys)];
    const { trunk, targets } = await this.preparer.prepare({
      imagePath: first.imagePath,
      size: { width: first.width, height: first.height },
      prompts: distinct.map((k) => JSON.parse(k) as Prompt),
      targets: samples.map((s) => s.target),
    });
    return {
      trunk,
      samples: samples.map((s, i) => ({
        taskIndex: taskIndex[i],
        prompt: distinct.indexOf(keys[i]),
        multimask: isMultimaskPrompt(s),
        negative: s.kind === 'negative',
        target: targets[i],
      })),
    };
  }
}

/** The same prompt with a task for a category absent from the image: an empty target (see twinProbability). */
export function negativeTwin(dataset: CocoDataset, sample: Sample, random: SeededRandom): Sample | undefined {
  const named = pickAbsentCategory(dataset, sample.imageId, sample.categoryId, random, 0.5);
  if (!named) return undefined;
  const scope = sample.kind === 'category' ? 'category' : 'instance';
  return {
    ...sample,
    kind: 'negative',
    categoryId: named.id,
    categoryName: named.name,
    task: synthesizeTask(named.name, scope, random).text,
    target: Rle.empty(sample.height, sample.width),
    ignore: undefined,
  };
}
