import { resolve } from 'node:path';
import type { CocoDetector } from '@tasam/detector';
import type { TaskSegmenter } from '@tasam/task-segmentation';
import type { EvalSelection } from './eval-selection';
import { type GroundedImageResult, runGroundedImage } from './protocols/grounded-protocol';
import { runPointProtocols } from './protocols/point-protocols';
import { runTextImage, type TextImageResult } from './protocols/text-protocol';
import type { EvalPart, Protocol } from './report/eval-part';
import type { Shard } from './shard';

/** What one run of the protocols needs besides the selection and the segmenter (recorded in the part). */
export interface EvaluatePartOptions {
  /** The COCO directory the selection was read from. */
  coco: string;
  split: string;
  /** Protocols to run, in PROTOCOLS order. */
  protocols: Protocol[];
  /** Seed of the category protocol's points. */
  seed: number;
  /** Text protocol: grid points per side of the automatic mode. */
  grid: number;
  /** Text protocol: plain SAM's predicted-IoU threshold. */
  scoreThreshold: number;
  /** Text protocol: tasam's task-score threshold (default: the segmenter's). */
  taskScoreThreshold?: number;
  /** Text protocol: tasam's relative threshold (default: the segmenter's). */
  taskRelativeThreshold?: number;
  /** The checkpoint the segmenter's LoRAs come from, as named to the user. */
  checkpoint: string;
  limit?: number;
  shard: Shard;
  /** Grounded protocol: the detector whose boxes prompt SAM (required with `grounded`). */
  detector?: CocoDetector;
  /** Grounded protocol: also detect on each image's corner tiles (@tasam/detector `tiles`; default false). */
  detectorTiles?: boolean;
  /** When the run started (performance.now()), so `wallMs` includes loading; default: now. */
  startedAt?: number;
  /**
   * Called after each image of each pass with the image id and the pass's name (`the click/category/box
   * protocols`, `the text protocol`, `the grounded protocol`); may throw to stop the run.
   */
  onImage?: (imageId: number, pass: string) => void;
}

/** Passes over the images the protocols need: click/category/box share one, text and grounded one each. */
export function evalPasses(protocols: readonly Protocol[]): number {
  const point = protocols.some((p) => p === 'click' || p === 'category' || p === 'box');
  return [point, protocols.includes('text'), protocols.includes('grounded')].filter(Boolean).length;
}

/** Runs the protocols on a selection (one shard's images) and returns the raw results, nothing merged yet. */
export async function evaluatePart(
  selection: EvalSelection,
  segmenter: TaskSegmenter,
  options: EvaluatePartOptions,
): Promise<EvalPart> {
  const started = options.startedAt ?? performance.now();
  const { protocols, detector } = options;
  if (protocols.includes('grounded') && !detector)
    throw new TypeError('evaluatePart: the grounded protocol needs a detector');
  const part: EvalPart = {
    format: 'tasam-eval-part',
    version: 1,
    settings: {
      coco: resolve(options.coco),
      split: options.split,
      protocols,
      seed: options.seed,
      grid: options.grid,
      scoreThreshold: options.scoreThreshold,
      taskScoreThreshold: options.taskScoreThreshold ?? null,
      taskRelativeThreshold: options.taskRelativeThreshold ?? null,
      checkpoint: options.checkpoint,
      checkpointId: segmenter.generator.checkpointId,
      limit: options.limit ?? null,
      categoryIds: selection.categories.map((c) => c.id),
      ...(detector && protocols.includes('grounded')
        ? { detector: `${detector.id}${options.detectorTiles ? '+tiles' : ''}` }
        : {}),
    },
    shard: options.shard,
    allImageIds: selection.allImageIds,
    imageIds: selection.images.map((i) => i.id),
    wallMs: 0,
  };
  if (protocols.some((p) => p === 'click' || p === 'category' || p === 'box')) {
    part.point = await runPointProtocols(selection, segmenter, {
      seed: options.seed,
      onImage: (imageId) => options.onImage?.(imageId, 'the click/category/box protocols'),
    });
  }
  if (protocols.includes('text')) {
    const text: TextImageResult[] = [];
    for (let i = 0; i < selection.images.length; i++) {
      text.push(
        await runTextImage(selection, i, segmenter, {
          grid: options.grid,
          scoreThreshold: options.scoreThreshold,
          taskScoreThreshold: options.taskScoreThreshold,
          taskRelativeThreshold: options.taskRelativeThreshold,
        }),
      );
      options.onImage?.(selection.images[i].id, 'the text protocol');
    }
    part.text = text;
  }
  if (detector && protocols.includes('grounded')) {
    const grounded: GroundedImageResult[] = [];
    for (let i = 0; i < selection.images.length; i++) {
      grounded.push(
        await runGroundedImage(selection, i, segmenter, detector, { detectorTiles: options.detectorTiles }),
      );
      options.onImage?.(selection.images[i].id, 'the grounded protocol');
    }
    part.grounded = grounded;
  }
  part.wallMs = Math.round(performance.now() - started);
  return part;
}
