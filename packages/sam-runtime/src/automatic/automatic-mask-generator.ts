import { type Bbox, decodeMask, encodeMask, type Rle, rleArea, rleToBbox } from '@tasam/coco-data';
import { InvalidPromptError } from '../errors';
import type { HeadOutputs } from '../heads';
import { maskLogits } from '../heads';
import { ImageFrame, type ImageSize, SAM_LOW_RES_SIZE } from '../image-frame';
import { upscaleMask } from '../mask-postprocess';
import type { PointPrompt, Prompt } from '../prompt';
import { MASK_TOKENS, type TrunkOutput } from '../trunk-output';
import { boxNms, maskBox, type XyxyBox } from './box-nms';
import { pointGrid } from './point-grid';
import { removeSmallRegions } from './small-regions';

/** SamAutomaticMaskGenerator's knobs (same names and defaults, camel-cased), except a smaller batch. */
export interface AutomaticOptions {
  /** Grid of n x n foreground points (SAM default 32). */
  pointsPerSide?: number;
  /**
   * Prompts per trunk call (SAM default 64). Measured here, per-prompt trunk time is lowest for 2-4 prompts a
   * call and grows again for 8-16 (each prompt carries its own 8 MB upscaled embedding), so the default is 4.
   */
  pointsPerBatch?: number;
  /** Keep masks whose predicted IoU is above this (0 disables the filter). */
  predIouThresh?: number;
  /** Keep masks whose stability score is at least this. */
  stabilityScoreThresh?: number;
  /** Logit offset of the stability score. */
  stabilityScoreOffset?: number;
  /** Box IoU above which the lower-scored mask is suppressed. */
  boxNmsThresh?: number;
  /** Fill holes and remove islands smaller than this many pixels (0 = off), then suppress again. */
  minMaskRegionArea?: number;
  /** Called after each trunk batch with prompts done and total. */
  onProgress?: (done: number, total: number) => void;
}

const DEFAULTS: Required<Omit<AutomaticOptions, 'onProgress'>> = {
  pointsPerSide: 32,
  pointsPerBatch: 4,
  predIouThresh: 0.88,
  stabilityScoreThresh: 0.95,
  stabilityScoreOffset: 1,
  boxNmsThresh: 0.7,
  minMaskRegionArea: 0,
};

/** One mask the generator found. */
export interface AutomaticInstance {
  rle: Rle;
  area: number;
  /** COCO box x, y, width, height. */
  bbox: Bbox;
  predictedIou: number;
  stabilityScore: number;
  /** The grid point (original pixels) that produced the mask. */
  point: [number, number];
}

/** A mask that passed the per-batch filters, before suppression. */
export interface MaskCandidate {
  rle: Rle;
  box: XyxyBox;
  predictedIou: number;
  stabilityScore: number;
  point: [number, number];
}

/** A candidate as an instance: its area and COCO box measured from the mask. */
export function toAutomaticInstance(c: MaskCandidate): AutomaticInstance {
  return {
    rle: c.rle,
    area: rleArea(c.rle),
    bbox: rleToBbox(c.rle),
    predictedIou: c.predictedIou,
    stabilityScore: c.stabilityScore,
    point: c.point,
  };
}

/** Scores a trunk output: SAM's heads, or heads adapted to a task by a LoRA. */
export type HeadsFunction = (trunk: TrunkOutput) => HeadOutputs;

/** Runs the trunk for prompts of one image (e.g. `SamRuntime.trunk` bound to an embedding). */
export type TrunkRunner = (prompts: Prompt[]) => Promise<TrunkOutput>;

/**
 * SAM's automatic mask generator ("everything") over a trunk/heads split: grid prompts go through the trunk
 * in batches ONCE, and each batch is scored by every heads function given, so N tasks cost one trunk pass
 * plus N cheap head passes. Selection follows SamAutomaticMaskGenerator with one crop layer (the whole
 * image): predicted-IoU filter, stability-score filter, box NMS, optional small-region removal.
 */
export class AutomaticMaskGenerator {
  readonly options: Required<Omit<AutomaticOptions, 'onProgress'>>;
  private readonly onProgress?: (done: number, total: number) => void;

  constructor(options: AutomaticOptions = {}) {
    const { onProgress, ...rest } = options;
    this.options = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    };
    this.onProgress = onProgress;
    const { pointsPerSide, pointsPerBatch } = this.options;
    if (!Number.isInteger(pointsPerSide) || pointsPerSide < 1 || pointsPerSide > 256) {
      throw new InvalidPromptError('pointsPerSide', `expected an integer 1-256, got ${pointsPerSide}`);
    }
    if (!Number.isInteger(pointsPerBatch) || pointsPerBatch < 1) {
      throw new InvalidPromptError('pointsPerBatch', `expected a positive integer, got ${pointsPerBatch}`);
    }
    const { stabilityScoreOffset: offset } = this.options;
    if (!Number.isFinite(offset) || offset < 0) {
      throw new InvalidPromptError('stabilityScoreOffset', `expected a finite number >= 0, got ${offset}`);
    }
  }

  pointGrid(size: ImageSize): PointPrompt[] {
    return pointGrid(this.options.pointsPerSide, size);
  }

  /** Runs the whole pipeline; returns one instance list per heads function, best predicted IoU first. */
  async generate(
    runTrunk: TrunkRunner,
    size: ImageSize,
    heads: readonly HeadsFunction[],
  ): Promise<AutomaticInstance[][]> {
    const frame = new ImageFrame(size);
    const points = this.pointGrid(size);
    const candidates: MaskCandidate[][] = heads.map(() => []);
    const batch = this.options.pointsPerBatch;
    for (let start = 0; start < points.length; start += batch) {
      const chunk = points.slice(start, start + batch);
      const trunk = await runTrunk(chunk.map((point) => ({ points: [point] })));
      heads.forEach((scoreHeads, h) => {
        candidates[h].push(...this.collect(trunk, scoreHeads(trunk), chunk, frame));
      });
      this.onProgress?.(Math.min(start + batch, points.length), points.length);
    }
    return candidates.map((list) => this.finish(list, frame));
  }

  /** Candidates of one trunk batch under one set of head outputs (multimask: masks 1-3 of each prompt). */
  collect(
    trunk: TrunkOutput,
    heads: HeadOutputs,
    points: readonly PointPrompt[],
    frame: ImageFrame,
  ): MaskCandidate[] {
    const { predIouThresh, stabilityScoreThresh, stabilityScoreOffset } = this.options;
    const lowRes = new Float32Array(SAM_LOW_RES_SIZE * SAM_LOW_RES_SIZE);
    const found: MaskCandidate[] = [];
    for (let p = 0; p < trunk.n; p++) {
      for (let m = 1; m < MASK_TOKENS; m++) {
        const predictedIou = heads.iouPredictions[p * MASK_TOKENS + m];
        if (predIouThresh > 0 && !(predictedIou > predIouThresh)) continue;
        maskLogits(trunk, heads.maskWeights, p, m, lowRes);
        const { mask, stabilityScore: stability } = upscaleMask(lowRes, frame, {
          stabilityOffset: stabilityScoreOffset,
        });
        if (!(stability >= stabilityScoreThresh)) continue;
        found.push({
          rle: encodeMask(mask, frame.height, frame.width),
          box: maskBox(mask, frame.width, frame.height),
          predictedIou,
          stabilityScore: stability,
          point: [points[p].x, points[p].y],
        });
      }
    }
    return found;
  }

  /** Box NMS over all candidates, then optional small-region cleanup; best predicted IoU first. */
  finish(candidates: readonly MaskCandidate[], frame: ImageFrame): AutomaticInstance[] {
    const { boxNmsThresh, minMaskRegionArea } = this.options;
    const kept = boxNms(
      candidates.map((c) => c.box),
      candidates.map((c) => c.predictedIou),
      boxNmsThresh,
    );
    let result = kept.map((i) => candidates[i]);
    if (minMaskRegionArea > 0) result = this.removeSmallRegions(result, frame);
    return result.map(toAutomaticInstance).sort((a, b) => b.predictedIou - a.predictedIou);
  }

  /** SAM's postprocess_small_regions: clean each mask, prefer unchanged masks in a second NMS. */
  private removeSmallRegions(candidates: MaskCandidate[], frame: ImageFrame): MaskCandidate[] {
    const { width, height } = frame;
    const area = this.options.minMaskRegionArea;
    const cleaned = candidates.map((candidate) => {
      const original = decodeMask(candidate.rle);
      const holes = removeSmallRegions(original, width, height, area, 'holes');
      const islands = removeSmallRegions(holes.mask, width, height, area, 'islands');
      const changed = holes.changed || islands.changed;
      return {
        candidate,
        mask: islands.mask,
        changed,
        box: changed ? maskBox(islands.mask, width, height) : candidate.box,
      };
    });
    const kept = boxNms(
      cleaned.map((c) => c.box),
      cleaned.map((c) => (c.changed ? 0 : 1)),
      this.options.boxNmsThresh,
    );
    return kept.map((i) => {
      const { candidate, mask, changed, box } = cleaned[i];
      return changed ? { ...candidate, rle: encodeMask(mask, height, width), box } : candidate;
    });
  }
}
