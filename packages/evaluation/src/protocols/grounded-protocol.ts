import { join } from 'node:path';
import { compressRle, loadImageRgb } from '@tasam/coco-data';
import type { CocoDetector } from '@tasam/detector';
import { type GroundedInstance, GroundedSegmenter, type TaskSegmenter } from '@tasam/task-segmentation';
import { type EvalSelection, presentCategories } from '../eval-selection';
import { type ScoredMask, textTask } from './text-protocol';

/** What the grounded protocol found on one image (raw, so shards merge before metrics). */
export interface GroundedImageResult {
  imageId: number;
  /** Selected categories with a non-crowd instance in the image (the referring setting's tasks). */
  present: number[];
  /** Per category id: the detector's boxes through plain SAM's heads (the LangSAM-style baseline). */
  plain: Record<string, ScoredMask[]>;
  /** Per category id: the same boxes through the task's LoRA-adapted heads ("segment all {category}"). */
  tasam: Record<string, ScoredMask[]>;
  /** Detections prompted (each box runs through the trunk once for both heads). */
  boxes: number;
  /** Embedding, detector, trunk, both heads, NMS. */
  ms: number;
}

/**
 * The grounded text protocol on one image: every selected category is a task "segment all {category}",
 * grounded to that category (grounding itself is measured by its own test set, so AP here is the detector and
 * the heads alone); the detector runs once, each box once through the trunk, and plain SAM's heads and the
 * task's adapted heads read the same trunk output. Scores: detector score x predicted IoU; no threshold
 * beyond the detector's (0.05), as AP ranks everything.
 */
export async function runGroundedImage(
  selection: EvalSelection,
  imageIndex: number,
  segmenter: TaskSegmenter,
  detector: CocoDetector,
  options: { detectorTiles?: boolean } = {},
): Promise<GroundedImageResult> {
  const image = selection.images[imageIndex];
  const started = performance.now();
  const present = presentCategories(selection, image.id);
  const rgb = await loadImageRgb(join(selection.imageDir, image.file_name));
  const embedding = await segmenter.runtime.embed(rgb);
  const groundings = selection.categories.map((c) => ({
    task: textTask(c.name),
    grounded: true,
    categories: [{ id: c.id, name: c.name, score: 1 }],
    colour: null,
  }));
  const grounded = new GroundedSegmenter(segmenter.runtime, detector, segmenter.generator);
  const result = await grounded.segment(rgb, embedding, groundings, {
    scoreThreshold: 0,
    baseline: true,
    detectorTiles: options.detectorTiles,
  });
  const scored = (list: readonly GroundedInstance[]) =>
    list.map((i) => ({ rle: compressRle(i.rle), score: i.score }));
  const plain: Record<string, ScoredMask[]> = {};
  const tasam: Record<string, ScoredMask[]> = {};
  selection.categories.forEach((category, t) => {
    const found = result.tasks[t];
    if (found.instances.length > 0) tasam[category.id] = scored(found.instances);
    if (found.baseline?.length) plain[category.id] = scored(found.baseline);
  });
  return {
    imageId: image.id,
    present,
    plain,
    tasam,
    boxes: result.trunkPrompts,
    ms: Math.round(performance.now() - started),
  };
}
