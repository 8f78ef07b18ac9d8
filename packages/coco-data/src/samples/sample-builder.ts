import { type CocoAnnotation, type CocoDataset, isCrowd } from '../coco';
import { mergeRles, Rle, rleArea } from '../mask';
import {
  boxFromRle,
  type CornerBox,
  centerMostPoint,
  jitterBox,
  type Pixel,
  randomExteriorPoints,
  randomInteriorPoints,
  SeededRandom,
} from '../sampling';
import { synthesizeTask, type TaskScope, type TaskTemplate } from '../task';
import { pickAbsentCategory } from './absent-category';
import { type DetectorBox, matchDetectorBoxes } from './detector-boxes';
import type { Sample, SampleKind, SamplePoint } from './sample';

/** How prompts and tasks are drawn for each sample. */
export interface SamplingOptions {
  /** Points on an instance: 1..maxInstancePoints (default 3). */
  maxInstancePoints?: number;
  /** Positive points for a category: 1..maxCategoryPositives (default 3), spread over its instances. */
  maxCategoryPositives?: number;
  /** Negative points for a category: 0..maxCategoryNegatives (default 2), outside all its masks. */
  maxCategoryNegatives?: number;
  /** Probability that the first point is the center-most one rather than random (default 0.5). */
  centerPointProbability?: number;
  /** Probability that instance and negative samples carry the object's box (default 0.25). */
  boxProbability?: number;
  /**
   * Probability that an instance or negative sample is a box alone, jittered as SAM's training does (see
   * jitterBox), as a detector's box prompts SAM (default 0: no box-only samples).
   */
  boxOnlyProbability?: number;
  /**
   * A detector's boxes on this split (COCO results, e.g. `tasam detect --coco DIR --split S --out F`): a box-only
   * sample of an instance the detector found (see matchDetectorBoxes) is prompted with one of the detector's
   * boxes of it, picked at random, instead of a jittered ground-truth box, so that training sees the boxes
   * grounded task mode will prompt SAM with. Instances the detector missed keep the jittered box.
   */
  detectorBoxes?: readonly DetectorBox[];
  /** Probability of a size attribute ("small", "large") in instance tasks when it applies (default 0.2). */
  attributeProbability?: number;
  /** Probability that a negative picks c from the supercategory of c' when it can (default 0.5). */
  hardNegativeProbability?: number;
  /** Task phrasings (default TASK_TEMPLATES). */
  templates?: readonly TaskTemplate[];
}

/** Where one sample comes from; the rest is drawn from its own seeded PRNG. */
export interface SampleSpec {
  kind: SampleKind;
  imageId: number;
  /** instance: the annotation; category: unused (-1); negative: unused (-1), the instance is drawn. */
  annotationId: number;
  /** instance, category: the category; negative: unused (-1), drawn among those absent. */
  categoryId: number;
}

// COCO's area ranges: small < 32^2 <= medium <= 96^2 < large.
const SMALL = 32 * 32;
const LARGE = 96 * 96;

/**
 * Builds samples of one dataset: masks come from the annotations (polygons rasterised as pycocotools does),
 * random choices from a PRNG seeded by (seed, epoch, spec index), so a sample is the same whatever process,
 * shard or order produces it.
 */
export class SampleBuilder {
  private readonly options: Required<Omit<SamplingOptions, 'templates' | 'detectorBoxes'>> & {
    templates?: readonly TaskTemplate[];
  };
  /** Detector boxes by annotation id (SamplingOptions.detectorBoxes). */
  private readonly detectorBoxes?: Map<number, CornerBox[]>;

  constructor(
    private readonly dataset: CocoDataset,
    private readonly imagePath: (fileName: string) => string,
    options: SamplingOptions = {},
  ) {
    this.options = {
      maxInstancePoints: options.maxInstancePoints ?? 3,
      maxCategoryPositives: options.maxCategoryPositives ?? 3,
      maxCategoryNegatives: options.maxCategoryNegatives ?? 2,
      centerPointProbability: options.centerPointProbability ?? 0.5,
      boxProbability: options.boxProbability ?? 0.25,
      boxOnlyProbability: options.boxOnlyProbability ?? 0,
      attributeProbability: options.attributeProbability ?? 0.2,
      hardNegativeProbability: options.hardNegativeProbability ?? 0.5,
      templates: options.templates,
    };
    if (options.detectorBoxes) this.detectorBoxes = matchDetectorBoxes(dataset, options.detectorBoxes);
  }

  /** The sample of a spec, or undefined when its masks turn out empty (degenerate polygons). */
  build(spec: SampleSpec, index: number, random: SeededRandom): Sample | undefined {
    if (spec.kind === 'instance') return this.instance(spec, index, random);
    if (spec.kind === 'category') return this.category(spec, index, random);
    return this.negative(spec, index, random);
  }

  private instance(spec: SampleSpec, index: number, random: SeededRandom): Sample | undefined {
    const annotation = this.dataset.annotation(spec.annotationId)!;
    const target = this.dataset.annToRle(annotation);
    const area = rleArea(target);
    if (area === 0) return undefined;
    const prompt = this.instancePrompt(target, random, annotation.id);
    const attribute = this.sizeAttribute(area, random);
    const task = this.task(annotation.category_id, 'instance', random, attribute);
    return this.sample(
      spec.kind,
      index,
      annotation.image_id,
      annotation.category_id,
      task,
      prompt.points,
      target,
      [annotation.id],
      prompt.box,
    );
  }

  private category(spec: SampleSpec, index: number, random: SeededRandom): Sample | undefined {
    const of = this.dataset.annotationsOf(spec.imageId).filter((a) => a.category_id === spec.categoryId);
    const instances: { annotation: CocoAnnotation; rle: Rle }[] = [];
    const crowd: Rle[] = [];
    for (const annotation of of) {
      const rle = this.dataset.annToRle(annotation);
      if (isCrowd(annotation)) crowd.push(rle);
      else if (rleArea(rle) > 0) instances.push({ annotation, rle });
    }
    if (instances.length === 0) return undefined;
    const target = mergeRles(instances.map((i) => i.rle));
    const ignore = crowd.length > 0 ? mergeRles(crowd) : undefined;
    // Positives: one per instance while they last (instances in random order), then more on random ones.
    const nPositive = random.between(1, this.options.maxCategoryPositives);
    const order = random.shuffle(instances.map((_, i) => i));
    const points: SamplePoint[] = [];
    for (let p = 0; p < nPositive; p++) {
      const { rle } = instances[order[p % order.length]];
      const pixel =
        p < order.length && random.chance(this.options.centerPointProbability)
          ? centerMostPoint(rle)
          : randomInteriorPoints(rle, 1, random)[0];
      if (pixel) points.push(positive(pixel));
    }
    // Negatives: outside the category's masks, crowd regions included.
    const nNegative = random.between(0, this.options.maxCategoryNegatives);
    const everything = ignore ? mergeRles([target, ignore]) : target;
    for (const pixel of randomExteriorPoints(everything, nNegative, random))
      points.push({ ...pixel, label: 0 });
    const task = this.task(spec.categoryId, 'category', random);
    const ids = instances.map((i) => i.annotation.id);
    const sample = this.sample(spec.kind, index, spec.imageId, spec.categoryId, task, points, target, ids);
    if (ignore) sample.ignore = ignore;
    return sample;
  }

  private negative(spec: SampleSpec, index: number, random: SeededRandom): Sample | undefined {
    const annotations = this.dataset.annotationsOf(spec.imageId);
    const candidates = annotations.filter((a) => !isCrowd(a) && (a.area ?? 1) > 0);
    if (candidates.length === 0) return undefined;
    const on = random.pick(candidates);
    const rle = this.dataset.annToRle(on);
    const area = rleArea(rle);
    if (area === 0) return undefined;
    const named = pickAbsentCategory(
      this.dataset,
      spec.imageId,
      on.category_id,
      random,
      this.options.hardNegativeProbability,
    );
    if (!named) return undefined;
    const prompt = this.instancePrompt(rle, random, on.id);
    const scope: TaskScope = random.chance(0.5) ? 'instance' : 'category';
    const attribute = scope === 'instance' ? this.sizeAttribute(area, random) : undefined;
    const task = this.task(named.id, scope, random, attribute);
    const image = this.dataset.image(spec.imageId)!;
    const target = Rle.empty(image.height, image.width);
    return this.sample(
      spec.kind,
      index,
      spec.imageId,
      named.id,
      task,
      prompt.points,
      target,
      [on.id],
      prompt.box,
    );
  }

  /**
   * 1..maxInstancePoints points on a mask (the first center-most or random), and maybe its box; or a box alone
   * (boxOnlyProbability): one of the detector's boxes of the annotation when there are some, else jittered.
   */
  private instancePrompt(
    rle: Rle,
    random: SeededRandom,
    annotationId: number,
  ): { points: SamplePoint[]; box?: Sample['box'] } {
    // Drawn only when enabled, so runs without box-only samples keep their exact random sequence.
    if (this.options.boxOnlyProbability > 0 && random.chance(this.options.boxOnlyProbability)) {
      const detected = this.detectorBoxes?.get(annotationId);
      if (detected) return { points: [], box: [...random.pick(detected)] as CornerBox };
      const box = boxFromRle(rle);
      if (box) return { points: [], box: jitterBox(box, rle.w, rle.h, random) };
    }
    const n = random.between(1, this.options.maxInstancePoints);
    const pixels: Pixel[] = [];
    if (random.chance(this.options.centerPointProbability)) {
      const center = centerMostPoint(rle);
      if (center) pixels.push(center);
    }
    pixels.push(...randomInteriorPoints(rle, n - pixels.length, random));
    const box = random.chance(this.options.boxProbability) ? boxFromRle(rle) : undefined;
    return { points: pixels.map(positive), ...(box ? { box } : {}) };
  }

  private sizeAttribute(area: number, random: SeededRandom): string | undefined {
    if (!random.chance(this.options.attributeProbability)) return undefined;
    if (area < SMALL) return 'small';
    if (area > LARGE) return 'large';
    return undefined;
  }

  private task(categoryId: number, scope: TaskScope, random: SeededRandom, attribute?: string): string {
    const name = this.dataset.category(categoryId)!.name;
    return synthesizeTask(name, scope, random, { attribute, templates: this.options.templates }).text;
  }

  private sample(
    kind: SampleKind,
    index: number,
    imageId: number,
    categoryId: number,
    task: string,
    points: SamplePoint[],
    target: Rle,
    annotationIds: number[],
    box?: Sample['box'],
  ): Sample {
    const image = this.dataset.image(imageId)!;
    return {
      index,
      kind,
      imageId,
      imagePath: this.imagePath(image.file_name),
      width: image.width,
      height: image.height,
      categoryId,
      categoryName: this.dataset.category(categoryId)!.name,
      task,
      points,
      ...(box ? { box } : {}),
      target,
      annotationIds,
    };
  }
}

function positive(pixel: Pixel): SamplePoint {
  return { x: pixel.x, y: pixel.y, label: 1 };
}

/** A sample's PRNG: the same (seed, epoch, spec) always draws the same choices. */
export function sampleRandom(seed: number, epoch: number, specIndex: number): SeededRandom {
  return new SeededRandom('sample', seed, epoch, specIndex);
}
