import { join } from 'node:path';
import {
  CocoDataset,
  isCrowd,
  loadImageRgb,
  renderTask,
  TASK_TEMPLATES,
  type TaskTemplate,
} from '@tasam/coco-data';
import type { SamRuntime, Tensor32 } from '@tasam/sam-runtime';
import { TrainingDataError } from './errors';
import { type FitScorerOptions, fitTaskScorer, type ScorerExample } from './fit-task-scorer';
import { Rng } from './rng';
import type { TaskEmbedder } from './task-lora-generator';
import {
  EMBEDDING_GRID,
  embeddingGridCoverage,
  pooledMaskFeatures,
  type TaskMaskScorer,
} from './task-mask-scorer';

export interface CollectScorerOptions {
  coco: string;
  split: string;
  runtime: SamRuntime;
  seed?: number;
  /** Only the first n images (ids ascending); default all. */
  maxImages?: number;
  /** Skip the first n images (e.g. to hold them out). */
  skipImages?: number;
  /** Background masks drawn per image where no instance lies (default 2). */
  backgroundPerImage?: number;
  onImage?: (done: number, total: number) => void;
}

export interface ScorerData {
  dataset: CocoDataset;
  /** Ids of the categories with at least one mask, in index order (ScorerExample.category indexes this). */
  categoryIds: number[];
  examples: ScorerExample[];
  /** Image id of each example (for per-image metrics). */
  imageIds: number[];
}

/**
 * An ellipse of cells where no instance lies: a stand-in for the background and stuff masks (sky, road, wall)
 * that SAM's automatic mode proposes and no task should claim. Undefined when none fits after a few tries.
 */
function backgroundCoverage(
  occupied: Float32Array,
  rows: number,
  cols: number,
  rng: Rng,
): Float32Array | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const cy = rng.int(rows);
    const cx = rng.int(cols);
    if (occupied[cy * EMBEDDING_GRID + cx] > 0) continue;
    const ry = 2 + rng.next() * 10;
    const rx = 2 + rng.next() * 10;
    const coverage = new Float32Array(EMBEDDING_GRID * EMBEDDING_GRID);
    let area = 0;
    let overlap = 0;
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(rows, Math.ceil(cy + ry + 1)); y++)
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(cols, Math.ceil(cx + rx + 1)); x++) {
        if (((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 > 1) continue;
        coverage[y * EMBEDDING_GRID + x] = 1;
        area++;
        overlap += occupied[y * EMBEDDING_GRID + x];
      }
    if (area >= 4 && overlap < 0.1 * area) return coverage;
  }
  return undefined;
}

/**
 * Masks for training the task scorer from a COCO split: every non-crowd instance (its category) and a few
 * background ellipses per image (no category), each pooled over the image's cached SAM embedding.
 */
export async function collectScorerExamples(options: CollectScorerOptions): Promise<ScorerData> {
  const file = join(options.coco, 'annotations', `instances_${options.split}.json`);
  const dataset = await CocoDataset.fromFile(file);
  const categoryIds = dataset.categories.map((c) => c.id).sort((a, b) => a - b);
  const index = new Map(categoryIds.map((id, i) => [id, i]));
  let ids = dataset.images.map((image) => image.id).sort((a, b) => a - b);
  ids = ids.filter((id) => dataset.annotationsOf(id).some((a) => !isCrowd(a)));
  ids = ids.slice(options.skipImages ?? 0);
  if (options.maxImages !== undefined) ids = ids.slice(0, options.maxImages);
  if (ids.length === 0) throw new TrainingDataError(file, 'has no image with a non-crowd annotation');
  const rng = new Rng(options.seed ?? 0);
  const perImage = options.backgroundPerImage ?? 2;
  const examples: ScorerExample[] = [];
  const imageIds: number[] = [];
  for (const [done, id] of ids.entries()) {
    const image = dataset.image(id)!;
    const { embedding } = await options.runtime.embedImage(
      await loadImageRgb(join(options.coco, options.split, image.file_name)),
    );
    const occupied = new Float32Array(EMBEDDING_GRID * EMBEDDING_GRID);
    for (const annotation of dataset.annotationsOf(id)) {
      const coverage = embeddingGridCoverage(dataset.annToRle(annotation));
      for (let k = 0; k < coverage.length; k++) occupied[k] = Math.min(1, occupied[k] + coverage[k]);
      if (isCrowd(annotation)) continue;
      add(embedding, coverage, index.get(annotation.category_id)!, id);
    }
    const scale = 1024 / Math.max(image.width, image.height);
    const rows = Math.ceil((image.height * scale) / 16);
    const cols = Math.ceil((image.width * scale) / 16);
    for (let b = 0; b < perImage; b++) {
      const coverage = backgroundCoverage(occupied, rows, cols, rng);
      if (coverage) add(embedding, coverage, -1, id);
    }
    options.onImage?.(done + 1, ids.length);
  }
  // Only categories with a mask take part: a category never seen has nothing to learn from (and would cost
  // embedding its phrasings).
  const used = categoryIds.filter((_, c) => examples.some((e) => e.category === c));
  const remap = new Map(used.map((id, c) => [index.get(id) as number, c]));
  for (const e of examples) if (e.category >= 0) e.category = remap.get(e.category) as number;
  return { dataset, categoryIds: used, examples, imageIds };

  function add(embedding: Tensor32, coverage: Float32Array, category: number, imageId: number): void {
    const features = pooledMaskFeatures(embedding, coverage);
    if (!features) return;
    examples.push({ features, category });
    imageIds.push(imageId);
  }
}

/** Every phrasing of every category (both scopes), as sentence embeddings: [category][phrasing]. */
export async function embedCategoryPhrasings(
  dataset: CocoDataset,
  categoryIds: readonly number[],
  encoder: TaskEmbedder,
  templates: readonly TaskTemplate[] = TASK_TEMPLATES,
): Promise<Float32Array[][]> {
  const texts = categoryIds.flatMap((id) =>
    templates.map((t) => renderTask(t, dataset.category(id)!.name).text),
  );
  const vectors: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 256) vectors.push(...(await encoder.embed(texts.slice(i, i + 256))));
  return categoryIds.map((_, c) => vectors.slice(c * templates.length, (c + 1) * templates.length));
}

export interface ScorerMetrics {
  masks: number;
  /** The mask's own category scores highest of all categories. */
  top1: number;
  /** top1 averaged over categories (each category counts once, however many masks it has). */
  classMeanTop1: number;
  top5: number;
  /** Within an image, the task for category c scores c's masks above another category's masks. */
  pairAccuracy: number;
  /** Mean probability for the own category, for the best wrong one, and best over categories for background. */
  meanOwn: number;
  meanBestWrong: number;
  meanBackground: number;
}

/** How well a scorer tells categories apart on collected masks, with one phrasing per category. */
export function scorerMetrics(
  scorer: TaskMaskScorer,
  data: ScorerData,
  phrasings: readonly (readonly Float32Array[])[],
  phrasing = 1,
): ScorerMetrics {
  const tasks = phrasings.map((p) => scorer.taskVector(p[Math.min(phrasing, p.length - 1)]));
  const probs = data.examples.map((e) => {
    const m = scorer.maskVector(e.features);
    return tasks.map((t) => scorer.probability(m, t));
  });
  let top1 = 0;
  let top5 = 0;
  let own = 0;
  let wrong = 0;
  let background = 0;
  let objects = 0;
  let backgrounds = 0;
  const perClass = new Map<number, { hits: number; total: number }>();
  probs.forEach((row, r) => {
    const c = data.examples[r].category;
    if (c < 0) {
      background += Math.max(...row);
      backgrounds++;
      return;
    }
    objects++;
    const better = row.filter((v) => v > row[c]).length;
    if (better === 0) top1++;
    const tally = perClass.get(c) ?? { hits: 0, total: 0 };
    tally.total++;
    if (better === 0) tally.hits++;
    perClass.set(c, tally);
    if (better < 5) top5++;
    own += row[c];
    wrong += Math.max(...row.filter((_, k) => k !== c));
  });
  let pairs = 0;
  let ordered = 0;
  const byImage = new Map<number, number[]>();
  data.imageIds.forEach((id, r) => {
    if (data.examples[r].category < 0) return;
    const rows = byImage.get(id);
    if (rows) rows.push(r);
    else byImage.set(id, [r]);
  });
  for (const rows of byImage.values())
    for (const a of rows)
      for (const b of rows) {
        const ca = data.examples[a].category;
        if (ca === data.examples[b].category) continue;
        pairs++;
        if (probs[a][ca] > probs[b][ca]) ordered++;
      }
  return {
    masks: objects,
    top1: top1 / Math.max(objects, 1),
    classMeanTop1:
      [...perClass.values()].reduce((s, t) => s + t.hits / t.total, 0) / Math.max(perClass.size, 1),
    top5: top5 / Math.max(objects, 1),
    pairAccuracy: ordered / Math.max(pairs, 1),
    meanOwn: own / Math.max(objects, 1),
    meanBestWrong: wrong / Math.max(objects, 1),
    meanBackground: background / Math.max(backgrounds, 1),
  };
}

export interface TrainScorerOptions extends CollectScorerOptions, Omit<FitScorerOptions, 'onProgress'> {
  encoder: TaskEmbedder;
  onFit?: FitScorerOptions['onProgress'];
}

/** Collects a split's masks, embeds every category's phrasings and fits a TaskMaskScorer. */
export async function trainTaskScorer(
  options: TrainScorerOptions,
): Promise<{ scorer: TaskMaskScorer; data: ScorerData; phrasings: Float32Array[][] }> {
  const data = await collectScorerExamples(options);
  const phrasings = await embedCategoryPhrasings(data.dataset, data.categoryIds, options.encoder);
  const scorer = fitTaskScorer(data.examples, phrasings, { ...options, onProgress: options.onFit });
  return { scorer, data, phrasings };
}
