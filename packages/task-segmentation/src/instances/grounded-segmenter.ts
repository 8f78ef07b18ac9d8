import { type Bbox, type RgbImage, type Rle, rleArea, rleToBbox } from '@tasam/coco-data';
import type { Detection, DetectOptions } from '@tasam/detector';
import type { LoraWeights } from '@tasam/lora';
import type { HeadWeights, ImageSize, Tensor32 } from '@tasam/sam-runtime';
import { type ColourAdaptation, lightAdaptation } from '../colour/colour-adaptation';
import { basicColour, type ColourName } from '../colour/colour-names';
import { type ColourShares, maskColourShares } from '../colour/mask-colour';
import { TaskSegmentationOptionsError } from '../errors';
import type { TaskLoraSource } from '../task-segmenter/task-segmenter';
import { type Box, boxMasks, clipBox, scaleBox, type TrunkFunction } from './box-masks';
import { maskNms } from './mask-nms';

/** What the grounded segmenter needs of a task's grounding (`TaskGrounder.ground`'s result). */
export interface GroundingLike {
  task: string;
  grounded: boolean;
  categories: readonly { id: number; name: string; score: number }[];
  colour: string | null;
}

/** The detector as the segmenter uses it (`CocoDetector` or `CachedDetector` of @tasam/detector). */
export interface DetectorLike {
  detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]>;
}

/** SAM as the segmenter uses it (`SamRuntime` of @tasam/sam-runtime). */
export interface SamLike {
  trunk: TrunkFunction;
  headWeights(): HeadWeights;
}

/** Which heads shape the masks of detected boxes. */
export type BoxHeads = 'task' | 'plain';

export interface GroundedOptions {
  /** Detections scoring below this are not prompted (default 0.05: most of the detector's recall). */
  detectorThreshold?: number;
  /**
   * Also run the detector on the image's corner tiles for small objects (@tasam/detector's `tiles`; default
   * false): about four times the detector's time (0.28 → 1.2 s an image, README of @tasam/detector).
   */
  detectorTiles?: boolean;
  /** Keep instances whose score (detector score x predicted IoU) is above this (default 0.15). */
  scoreThreshold?: number;
  /** Mask NMS within a task: drop an instance whose mask IoU with a better one exceeds this (default 0.5). */
  maskNmsIou?: number;
  /**
   * With a colour word: keep instances at least this share of whose pixels have the colour (default 0.25;
   * `colourShares` of each instance tells the whole split).
   */
  colourMinShare?: number;
  /**
   * With a colour word: the degree (0-1) of grey-world adaptation to the light's colour before pixels are named
   * (LightAdaptationOptions.greyWorld; default 0: on random COCO instances it named fewer right; 0.5 names a warm-lit
   * market stall's pale green apples green, which read yellow as shot).
   */
  colourAdaptation?: number;
  /**
   * With a colour word: brighten the image so its 95th-percentile luminance is white before pixels are named
   * (LightAdaptationOptions.exposure; default true: shaded whites read grey without it).
   */
  colourExposure?: boolean;
  /** 'task' (default): each task's LoRA-adapted heads; 'plain': SAM's own heads (the detector + SAM baseline). */
  heads?: BoxHeads;
  /**
   * Whose predicted IoU enters the score: 'plain' (default) SAM's own IoU head, read from the same trunk
   * output; 'task' the task-adapted IoU head. The shipped checkpoint's adapted IoU head was trained on clicks
   * only and rates box masks 0.2-0.4 where SAM's rates them 0.8-0.95 (examples/*.jpg), which would scramble
   * the ranking; the task's LoRA still shapes every mask.
   */
  iouFrom?: BoxHeads;
  /** Also return, from the same trunk runs, every task's instances with plain SAM's heads (default false). */
  baseline?: boolean;
  /** At most this many boxes per trunk call (default 8, spread evenly over the fewest calls). */
  boxesPerBatch?: number;
  /** Logit threshold of the masks (default 0, SAM's): lower makes every mask a little larger. */
  maskThreshold?: number;
  /**
   * With 'task' heads, each mask is (1 - w) x plain SAM's logits + w x the task heads' logits (default 1: the
   * task heads alone; 0: plain SAM's masks).
   */
  taskWeight?: number;
  /**
   * Each detected box is scaled by this about its centre before it prompts SAM (default 1: the detector's box).
   * Tighter boxes (0.95) raised the task heads' referring AP on coco-mini train2017 (0.257 → 0.265) but not on
   * val2017 (0.294 → 0.294), so the default keeps the box (see the model card).
   */
  boxScale?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One instance a task found from a detection. */
export interface GroundedInstance {
  rle: Rle;
  area: number;
  /** COCO box of the mask: x, y, width, height. */
  bbox: Bbox;
  /** detectorScore x predictedIou: ranks instances. */
  score: number;
  detectorScore: number;
  /** The predicted IoU of the box's mask that enters the score (see GroundedOptions.iouFrom). */
  predictedIou: number;
  stabilityScore: number;
  categoryId: number;
  category: string;
  /** The box (x0, y0, x1, y1) that prompted SAM: the detector's, scaled by `boxScale`, clipped to the image. */
  box: Box;
  /** With a colour word: the share of the mask's pixels of each basic colour. */
  colourShares?: ColourShares;
}

export interface GroundedTaskResult {
  task: string;
  grounding: GroundingLike;
  /** Best score first, after the thresholds, mask NMS and the colour filter. */
  instances: GroundedInstance[];
  /** The same boxes through plain SAM's heads (with `baseline: true`). */
  baseline?: GroundedInstance[];
}

export interface GroundedResult {
  tasks: GroundedTaskResult[];
  /** Every detection of the tasks' categories above the detector threshold. */
  detections: Detection[];
  /** Box prompts run through the trunk: one per detection, shared by every task and head set. */
  trunkPrompts: number;
  /** detectMs and loraMs overlap: both count from the start of `segment` (they run at once). */
  timings: { detectMs: number; loraMs: number; masksMs: number };
}

/** GroundedOptions.boxScale's default: the detector's own box. */
export const BOX_SCALE_DEFAULT = 1;

const DEFAULTS = {
  detectorThreshold: 0.05,
  detectorTiles: false,
  scoreThreshold: 0.15,
  maskNmsIou: 0.5,
  colourMinShare: 0.25,
  colourAdaptation: 0,
  colourExposure: true,
  heads: 'task' as BoxHeads,
  iouFrom: 'plain' as BoxHeads,
  baseline: false,
  boxesPerBatch: 8,
  maskThreshold: 0,
  taskWeight: 1,
  boxScale: BOX_SCALE_DEFAULT,
};

function checkUnit(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new TaskSegmentationOptionsError(name, `must be a number from 0 to 1, got ${value}`);
}

/**
 * Grounded task mode: the detector finds WHERE the task's categories are, each detected box prompts SAM, and
 * the task's LoRA-adapted heads shape the mask. The image embedding and the detector run once for all tasks;
 * each box runs through the trunk once, whatever number of tasks and head sets read it.
 */
export class GroundedSegmenter {
  constructor(
    readonly sam: SamLike,
    readonly detector: DetectorLike,
    readonly loras: TaskLoraSource,
  ) {}

  /** Instances of each grounded task. Tasks that are not grounded get no instances here (see `grounded`). */
  async segment(
    image: RgbImage,
    embedding: Tensor32,
    groundings: readonly GroundingLike[],
    options: GroundedOptions = {},
  ): Promise<GroundedResult> {
    const o = { ...DEFAULTS, ...definedOnly(options) };
    checkUnit('detectorThreshold', o.detectorThreshold);
    checkUnit('scoreThreshold', o.scoreThreshold);
    checkUnit('maskNmsIou', o.maskNmsIou);
    checkUnit('colourMinShare', o.colourMinShare);
    checkUnit('colourAdaptation', o.colourAdaptation);
    checkUnit('taskWeight', o.taskWeight);
    if (!(Number.isFinite(o.boxScale) && o.boxScale > 0 && o.boxScale <= 2))
      throw new TaskSegmentationOptionsError(
        'boxScale',
        `must be a number above 0 and at most 2, got ${o.boxScale}`,
      );
    if (!Number.isFinite(o.maskThreshold))
      throw new TaskSegmentationOptionsError(
        'maskThreshold',
        `must be a finite number, got ${o.maskThreshold}`,
      );
    if (typeof o.colourExposure !== 'boolean')
      throw new TaskSegmentationOptionsError(
        'colourExposure',
        `must be true or false, got ${String(o.colourExposure)}`,
      );
    if (typeof o.detectorTiles !== 'boolean')
      throw new TaskSegmentationOptionsError(
        'detectorTiles',
        `must be true or false, got ${String(o.detectorTiles)}`,
      );
    for (const name of ['heads', 'iouFrom'] as const)
      if (o[name] !== 'task' && o[name] !== 'plain')
        throw new TaskSegmentationOptionsError(name, `must be 'task' or 'plain', got ${String(o[name])}`);
    const size: ImageSize = { width: image.width, height: image.height };
    // score = detector score x predicted IoU <= detector score: a detection at or under the final threshold
    // can never make an instance, so it is not prompted at all (unless the threshold is 0, e.g. for AP).
    const promptFloor = Math.max(o.detectorThreshold, o.scoreThreshold);
    const wanted = [
      ...new Set(groundings.filter((g) => g.grounded).flatMap((g) => g.categories.map((c) => c.id))),
    ];

    // The detector (in worker threads by default) and the tasks' LoRA generation (on this thread) run at once.
    const start = performance.now();
    let detectMs = 0;
    let loraMs = 0;
    const [detections, loras] = await Promise.all([
      (async () => {
        const found =
          wanted.length === 0
            ? []
            : (
                await this.detector.detect(image, {
                  scoreThreshold: o.detectorThreshold,
                  categoryIds: wanted,
                  tiles: o.detectorTiles,
                })
              ).filter((d) => d.score >= promptFloor);
        detectMs = performance.now() - start;
        return found;
      })(),
      (async () => {
        const generated: (LoraWeights | undefined)[] = await Promise.all(
          groundings.map((g) => (g.grounded && o.heads === 'task' ? this.loras.generate(g.task) : undefined)),
        );
        loraMs = performance.now() - start;
        return generated;
      })(),
    ]);

    // Per detection, the head sets that read it: each task that asks for its category (its LoRA, or plain
    // SAM's heads), plus plain SAM's for the baseline.
    const boxes: {
      detection: Detection;
      box: Box;
      heads: (LoraWeights | undefined)[];
      iouOnly: (LoraWeights | undefined)[];
    }[] = [];
    for (const detection of detections) {
      const box = clipBox(scaleBox(detection.box, o.boxScale), size);
      if (!box) continue;
      const heads = new Set<LoraWeights | undefined>();
      groundings.forEach((g, t) => {
        if (g.grounded && g.categories.some((c) => c.id === detection.categoryId)) heads.add(loras[t]);
      });
      if (o.baseline) heads.add(undefined);
      // Plain SAM's IoU for the score: read from its heads, with no mask made unless one is wanted.
      const iouOnly = o.iouFrom === 'plain' && !heads.has(undefined) ? [undefined] : [];
      if (heads.size > 0) boxes.push({ detection, box, heads: [...heads], iouOnly });
    }
    const mark = performance.now();
    const masks = await boxMasks(
      (e, prompts, s) => this.sam.trunk(e, prompts, s),
      embedding,
      size,
      this.sam.headWeights(),
      boxes,
      {
        boxesPerBatch: o.boxesPerBatch,
        maskThreshold: o.maskThreshold,
        taskWeight: o.taskWeight,
        onProgress: o.onProgress,
      },
    );
    // The image's light is estimated once, and only when a task names a colour.
    let light: ColourAdaptation | undefined;
    const adaptation = () => {
      light ??= lightAdaptation(image, { exposure: o.colourExposure, greyWorld: o.colourAdaptation });
      return light;
    };
    const instancesFor = (g: GroundingLike, lora: LoraWeights | undefined): GroundedInstance[] => {
      const ids = new Set(g.categories.map((c) => c.id));
      const found: GroundedInstance[] = [];
      boxes.forEach(({ detection, box, heads }, b) => {
        if (!ids.has(detection.categoryId)) return;
        const mask = masks[b].masks[heads.indexOf(lora)];
        const plainIou = () =>
          heads.includes(undefined)
            ? masks[b].masks[heads.indexOf(undefined)].predictedIou
            : masks[b].ious[0];
        const predictedIou = o.iouFrom === 'plain' ? plainIou() : mask.predictedIou;
        const score = detection.score * predictedIou;
        const area = rleArea(mask.rle);
        if (!(score > o.scoreThreshold) || area === 0) return;
        found.push({
          rle: mask.rle,
          area,
          bbox: rleToBbox(mask.rle),
          score,
          detectorScore: detection.score,
          predictedIou,
          stabilityScore: mask.stabilityScore,
          categoryId: detection.categoryId,
          category: detection.category,
          box,
        });
      });
      const kept = maskNms(
        found.map((i) => i.rle),
        found.map((i) => i.score),
        o.maskNmsIou,
      ).map((i) => found[i]);
      return filterByColour(image, kept, g.colour, o.colourMinShare, adaptation);
    };
    const tasks = groundings.map((g, t) => ({
      task: g.task,
      grounding: g,
      instances: g.grounded ? instancesFor(g, loras[t]) : [],
      ...(o.baseline ? { baseline: g.grounded ? instancesFor(g, undefined) : [] } : {}),
    }));
    return {
      tasks,
      detections: boxes.map((b) => b.detection),
      trunkPrompts: boxes.length,
      timings: { detectMs, loraMs, masksMs: performance.now() - mark },
    };
  }
}

/** Keeps the instances showing enough of the task's colour (all of them when the task names none). */
function filterByColour(
  image: RgbImage,
  instances: GroundedInstance[],
  colour: string | null,
  minShare: number,
  adaptation: () => ColourAdaptation,
): GroundedInstance[] {
  if (!colour) return instances;
  const name: ColourName | null = basicColour(colour);
  if (!name) return instances;
  return instances
    .map((i) => ({ ...i, colourShares: maskColourShares(image, i.rle, adaptation()) }))
    .filter((i) => i.colourShares[name] >= minShare);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
