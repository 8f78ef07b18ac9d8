import { join } from 'node:path';
import { type CompressedRle, compressRle, loadImageRgb, pluralize, type Rle } from '@tasam/coco-data';
import type { TaskSegmenter } from '@tasam/task-segmentation';
import { type EvalSelection, presentCategories } from '../eval-selection';

/** One predicted mask in COCO's compressed form with its score. */
export interface ScoredMask {
  rle: CompressedRle;
  score: number;
}

/** What the text protocol found on one image (kept raw so shards merge before any metric is computed). */
export interface TextImageResult {
  imageId: number;
  /** Selected categories with a non-crowd instance in the image (the referring setting's tasks). */
  present: number[];
  /** Plain SAM's automatic masks, scored by its predicted IoU (labelled with each prompted category later). */
  plain: ScoredMask[];
  /** Per category id, tasam's instances for "segment all {category}", with their task scores. */
  tasam: Record<string, ScoredMask[]>;
  /** Embedding, one grid trunk pass, every task's heads, NMS. */
  ms: number;
  /** LoRA generation for the image's tasks (cached after the first image). */
  loraMs: number;
}

export interface TextProtocolSettings {
  /** Grid points per side of the automatic mode. */
  grid: number;
  /** Plain SAM's predicted-IoU threshold: instances above it are results. */
  scoreThreshold: number;
  /** tasam's task-score threshold (default: the segmenter's). */
  taskScoreThreshold?: number;
  /** tasam's relative threshold (default: the segmenter's). */
  taskRelativeThreshold?: number;
}

/** The task text of the text protocol for a category. */
export function textTask(categoryName: string): string {
  return `segment all ${pluralize(categoryName)}`;
}

/**
 * The text protocol on one image: no points; every selected category becomes a task; ONE grid trunk pass
 * serves plain SAM and every task (detection setting: all categories; the referring setting reads the
 * present ones out of the same run, as a task's instances do not depend on the other tasks).
 */
export async function runTextImage(
  selection: EvalSelection,
  imageIndex: number,
  segmenter: TaskSegmenter,
  settings: TextProtocolSettings,
): Promise<TextImageResult> {
  const image = selection.images[imageIndex];
  const started = performance.now();
  const present = presentCategories(selection, image.id);
  const rgb = await loadImageRgb(join(selection.imageDir, image.file_name));
  const size = { width: rgb.width, height: rgb.height };
  const embedding = await segmenter.runtime.embed(rgb);
  const tasks = selection.categories.map((c) => textTask(c.name));
  const result = await segmenter.automatic(embedding, size, tasks, {
    pointsPerSide: settings.grid,
    scoreThreshold: settings.taskScoreThreshold,
    relativeThreshold: settings.taskRelativeThreshold,
    baselineThreshold: settings.scoreThreshold,
    baseline: true,
  });
  const scored = (list: { rle: Rle; score: number }[]) =>
    list.map((i) => ({ rle: compressRle(i.rle), score: i.score }));
  const tasam: Record<string, ScoredMask[]> = {};
  selection.categories.forEach((category, t) => {
    const found = result.tasks[t].instances;
    if (found.length > 0) tasam[category.id] = scored(found);
  });
  return {
    imageId: image.id,
    present,
    plain: scored((result.baseline ?? []).map((i) => ({ rle: i.rle, score: i.predictedIou }))),
    tasam,
    ms: Math.round(performance.now() - started),
    loraMs: Math.round(result.timings.loraMs),
  };
}
