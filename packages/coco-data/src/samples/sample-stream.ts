import { join } from 'node:path';
import { CocoDataset, isCrowd, type ReadJsonOptions } from '../coco';
import { SampleOptionsError } from '../errors';
import { SeededRandom } from '../sampling';
import { SAMPLE_KINDS, type Sample, type SampleKind } from './sample';
import { SampleBuilder, type SampleSpec, type SamplingOptions, sampleRandom } from './sample-builder';

/** Which part of the stream a worker takes: positions p with p % count === index. */
export interface Shard {
  index: number;
  count: number;
}

export interface SampleStreamOptions extends SamplingOptions {
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** Epoch: a new order and new prompts for the same seed (default 0). */
  epoch?: number;
  /** Shuffle the epoch's samples (default true); false keeps image-id order. */
  shuffle?: boolean;
  /** Take only `shard.index` of `shard.count` (default the whole stream). */
  shard?: Shard;
  /** Kinds to produce (default all three). */
  kinds?: readonly SampleKind[];
  /** Negative samples per image (default 1). */
  negativesPerImage?: number;
  /** Instances (and categories) whose COCO `area` is below this make no samples of their own (default 1). */
  minArea?: number;
}

export interface OpenSampleStreamOptions extends SampleStreamOptions {
  /** A COCO directory: annotations/instances_<split>.json and <split>/<file_name>. */
  coco: string;
  /** e.g. 'train2017', 'val2017'. */
  split: string;
  /** Progress of reading the annotations file. */
  onProgress?: ReadJsonOptions['onProgress'];
}

const KIND_CODES: Record<SampleKind, number> = { instance: 0, category: 1, negative: 2 };

/**
 * The task-aware samples of a COCO split as a deterministic, shuffled, shardable stream. The epoch's samples
 * are enumerated (per image by id: one 'instance' per non-crowd annotation, one 'category' per category
 * present, `negativesPerImage` 'negative'), ordered by a PRNG of (seed, epoch), and shard i of n takes every
 * n-th. Each sample draws its prompts and task from a PRNG of (seed, epoch, its enumeration index), so the
 * same sample comes out in every process and every sharding. Iterating yields samples lazily; a sample whose
 * masks turn out empty (degenerate polygons) is skipped.
 */
export class SampleStream implements Iterable<Sample> {
  /** Samples enumerated in the epoch, all shards together. */
  readonly totalSize: number;
  private readonly kinds: Uint8Array;
  private readonly imageIds: Float64Array;
  private readonly annotationIds: Float64Array;
  private readonly categoryIds: Float64Array;
  private readonly positions: Uint32Array; // this shard's positions in the epoch order
  private readonly order: Uint32Array; // epoch position -> spec index
  private readonly builder: SampleBuilder;
  private readonly seed: number;
  private readonly epoch: number;

  constructor(
    readonly dataset: CocoDataset,
    /** Directory holding the images (file_name is relative to it). */
    readonly imageDir: string,
    options: SampleStreamOptions = {},
  ) {
    this.seed = checkInteger(options.seed ?? 0, 'seed', Number.MIN_SAFE_INTEGER);
    this.epoch = checkInteger(options.epoch ?? 0, 'epoch', 0);
    const shard = options.shard ?? { index: 0, count: 1 };
    checkInteger(shard.count, 'shard.count', 1);
    checkInteger(shard.index, 'shard.index', 0);
    if (shard.index >= shard.count) {
      throw new SampleOptionsError('shard', `index ${shard.index} is not below count ${shard.count}`);
    }
    const negativesPerImage = checkInteger(options.negativesPerImage ?? 1, 'negativesPerImage', 0);
    const minArea = options.minArea ?? 1;
    const kinds = options.kinds ?? SAMPLE_KINDS;
    for (const kind of kinds) {
      if (!SAMPLE_KINDS.includes(kind))
        throw new SampleOptionsError('kinds', `unknown sample kind '${kind}'`);
    }
    checkSampling(options);
    this.builder = new SampleBuilder(dataset, (fileName) => join(imageDir, fileName), options);

    const specs = enumerate(dataset, new Set(kinds), negativesPerImage, minArea);
    this.totalSize = specs.length;
    this.kinds = new Uint8Array(specs.length);
    this.imageIds = new Float64Array(specs.length);
    this.annotationIds = new Float64Array(specs.length);
    this.categoryIds = new Float64Array(specs.length);
    specs.forEach((spec, i) => {
      this.kinds[i] = KIND_CODES[spec.kind];
      this.imageIds[i] = spec.imageId;
      this.annotationIds[i] = spec.annotationId;
      this.categoryIds[i] = spec.categoryId;
    });
    this.order = new Uint32Array(specs.length).map((_, i) => i);
    if (options.shuffle ?? true) new SeededRandom('order', this.seed, this.epoch).shuffle(this.order);
    const mine = Math.max(0, Math.ceil((specs.length - shard.index) / shard.count));
    this.positions = new Uint32Array(mine).map((_, k) => shard.index + k * shard.count);
  }

  /** Opens a COCO directory's split: reads annotations/instances_<split>.json, images from <split>/. */
  static async open(options: OpenSampleStreamOptions): Promise<SampleStream> {
    const file = join(options.coco, 'annotations', `instances_${options.split}.json`);
    const dataset = await CocoDataset.fromFile(file, { onProgress: options.onProgress });
    return new SampleStream(dataset, join(options.coco, options.split), options);
  }

  /** Samples in this shard (some may be skipped when their masks are empty). */
  get size(): number {
    return this.positions.length;
  }

  /** The spec at an epoch position (kind, image, annotation or category). */
  specAt(position: number): SampleSpec {
    const i = this.order[position];
    return {
      kind: SAMPLE_KINDS[this.kinds[i]],
      imageId: this.imageIds[i],
      annotationId: this.annotationIds[i],
      categoryId: this.categoryIds[i],
    };
  }

  /** The sample at an epoch position (the same in every shard that has it). */
  sampleAt(position: number): Sample | undefined {
    if (!Number.isInteger(position) || position < 0 || position >= this.totalSize) {
      throw new SampleOptionsError('position', `${position} is outside 0..${this.totalSize - 1}`);
    }
    const specIndex = this.order[position];
    return this.builder.build(
      this.specAt(position),
      position,
      sampleRandom(this.seed, this.epoch, specIndex),
    );
  }

  *[Symbol.iterator](): Iterator<Sample> {
    for (const position of this.positions) {
      const sample = this.sampleAt(position);
      if (sample) yield sample;
    }
  }
}

function enumerate(
  dataset: CocoDataset,
  kinds: Set<SampleKind>,
  negativesPerImage: number,
  minArea: number,
): SampleSpec[] {
  const specs: SampleSpec[] = [];
  for (const imageId of dataset.imageIds()) {
    const annotations = dataset.annotationsOf(imageId);
    const usable = annotations.filter((a) => !isCrowd(a) && (a.area ?? minArea) >= minArea);
    if (kinds.has('instance')) {
      for (const a of usable)
        specs.push({ kind: 'instance', imageId, annotationId: a.id, categoryId: a.category_id });
    }
    if (kinds.has('category')) {
      const categories = [...new Set(usable.map((a) => a.category_id))].sort((x, y) => x - y);
      for (const categoryId of categories)
        specs.push({ kind: 'category', imageId, annotationId: -1, categoryId });
    }
    if (kinds.has('negative') && usable.length > 0) {
      for (let n = 0; n < negativesPerImage; n++) {
        specs.push({ kind: 'negative', imageId, annotationId: -1, categoryId: -1 });
      }
    }
  }
  return specs;
}

function checkInteger(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new SampleOptionsError(name, `expected an integer >= ${min}, got ${value}`);
  }
  return value;
}

function checkSampling(options: SamplingOptions): void {
  for (const name of ['maxInstancePoints', 'maxCategoryPositives'] as const) {
    if (options[name] !== undefined) checkInteger(options[name], name, 1);
  }
  if (options.maxCategoryNegatives !== undefined)
    checkInteger(options.maxCategoryNegatives, 'maxCategoryNegatives', 0);
  for (const name of [
    'centerPointProbability',
    'boxProbability',
    'attributeProbability',
    'hardNegativeProbability',
  ] as const) {
    const p = options[name];
    if (p !== undefined && !(p >= 0 && p <= 1))
      throw new SampleOptionsError(name, `expected a probability in [0, 1], got ${p}`);
  }
}
