import { performance } from 'node:perf_hooks';
import { encodeMask } from '@tasam/coco-data';
import type { TaskLoraGenerator } from '@tasam/hypernet';
import {
  encodePrompt,
  type HeadLora,
  ImageFrame,
  maskLogits,
  type Prompt,
  predictHeads,
  SamRuntime,
  type SamRuntimeOptions,
  selectMasks,
  type Tensor32,
  upscaleMask,
} from '@tasam/sam-runtime';
import {
  type GroundedInstance,
  GroundedSegmenter,
  type Grounding,
  TaskSegmenter,
} from '@tasam/task-segmentation';
import { TaskModeUnavailableError } from './errors/task-mode-unavailable-error';
import { memoDetector } from './memo-detector';
import type { SegmentRequest } from './segment-request';
import type {
  EngineSegmentation,
  HeadsResult,
  MaskInstance,
  SegmentationEngine,
  TaskGroundingSummary,
  TaskModeStatus,
} from './segmentation-engine';
import type { GroundingSetup, TaskGrounderLike } from './task-grounding';
import type { RgbPixels } from './uploaded-image';

/** The automatic grid: n x n point prompts, sent through the trunk in batches. */
export interface AutomaticGrid {
  pointsPerSide?: number;
  pointsPerBatch?: number;
}

export interface SamEngineOptions {
  runtime?: SamRuntimeOptions;
  /** Task text → LoRA (hypernetwork + text encoder). Without it, tasks fail with DEMO_TASK_UNAVAILABLE (501). */
  taskLoras?: TaskLoraGenerator;
  /** Why `taskLoras` is missing, shown by /api/health and in the 501 message. */
  taskUnavailableReason?: string;
  automatic?: AutomaticGrid;
  /**
   * Grounded task mode (`loadGrounding`): the COCO detector and the task grounder. Automatic mode then grounds
   * each task; a task naming COCO categories takes its masks from the detector's boxes through the task's
   * heads, any other from the task scorer's grid. Without a detector every task takes the scorer path.
   */
  grounding?: GroundingSetup;
}

/**
 * What the engine keeps per uploaded image: SAM's image embedding and, when it grounds tasks, the decoded
 * pixels the detector reads (and the colour filter; ~3 bytes a pixel beside the 4 MB embedding).
 */
export interface SamEmbedding {
  tensor: Tensor32;
  pixels?: RgbPixels;
}

/** Groundings kept per task text (a few hundred bytes each). */
const GROUNDING_CACHE_ENTRIES = 256;

/**
 * The demo's automatic grid. SAM uses 32x32 points; on a 2-core CPU each point costs ~0.1-0.2 s of trunk, so
 * the demo prompts 8x8 (the large objects, in seconds); TASAM_DEMO_POINTS_PER_SIDE trades time for detail.
 */
export const DEMO_AUTOMATIC_DEFAULTS: Required<AutomaticGrid> = { pointsPerSide: 8, pointsPerBatch: 16 };

type HeadSet = { kind: 'sam' | 'tasam'; lora?: HeadLora };

/**
 * Segmentation on @tasam/sam-runtime, and by task through @tasam/hypernet's TaskSegmenter or, for tasks that
 * name COCO categories, @tasam/task-segmentation's GroundedSegmenter (detector boxes → task-adapted heads).
 * Every request runs the task-free trunk once per prompt: plain SAM's heads and the task-adapted heads both
 * read that one trunk output, so the side-by-side comparison costs only a second set of heads.
 */
export class SamEngine implements SegmentationEngine<SamEmbedding> {
  readonly model: string;
  readonly taskMode: TaskModeStatus;
  private readonly grid: Required<AutomaticGrid>;
  private readonly tasks?: TaskSegmenter;
  private readonly grounded?: { segmenter: GroundedSegmenter; grounder: TaskGrounderLike };
  /** Groundings by task text, oldest first. */
  private readonly groundings = new Map<string, Grounding>();

  private constructor(
    private readonly runtime: SamRuntime,
    options: SamEngineOptions,
  ) {
    this.model = runtime.models.version;
    this.grid = { ...DEMO_AUTOMATIC_DEFAULTS, ...options.automatic };
    this.tasks = options.taskLoras && new TaskSegmenter(runtime, options.taskLoras);
    const { detector, grounder } = options.grounding ?? {};
    if (options.taskLoras && detector && grounder) {
      // A second task on the same upload reuses the detector's boxes for its categories.
      this.grounded = {
        segmenter: new GroundedSegmenter(runtime, memoDetector(detector), options.taskLoras),
        grounder,
      };
    }
    this.taskMode = this.tasks
      ? {
          available: true,
          grounding: this.grounded
            ? { available: true, ...(options.grounding?.id ? { detector: options.grounding.id } : {}) }
            : {
                available: false,
                reason: options.grounding?.unavailableReason ?? 'no COCO detector is loaded',
              },
        }
      : { available: false, reason: options.taskUnavailableReason ?? 'no hypernet checkpoint is loaded' };
  }

  static async create(options: SamEngineOptions = {}): Promise<SamEngine> {
    return new SamEngine(await SamRuntime.create(options.runtime ?? {}), options);
  }

  async embed(image: RgbPixels): Promise<SamEmbedding> {
    const tensor = await this.runtime.embed(image);
    return this.grounded ? { tensor, pixels: image } : { tensor };
  }

  async segment(
    embedding: SamEmbedding,
    size: { width: number; height: number },
    request: SegmentRequest,
  ): Promise<EngineSegmentation> {
    const imageSize = { width: size.width, height: size.height };
    if (request.mode === 'automatic') return this.automatic(embedding, imageSize, request);
    let lora: HeadLora | undefined;
    let taskMs: number | undefined;
    if (request.task) {
      const started = performance.now();
      lora = await this.taskSegmenter(request.task).lora(request.task);
      taskMs = performance.now() - started;
    }
    const headSets: HeadSet[] = [];
    if (!request.task || request.compare) headSets.push({ kind: 'sam' });
    if (lora) headSets.push({ kind: 'tasam', lora });
    return {
      ...(await this.prompted(embedding.tensor, imageSize, request, headSets)),
      taskMs,
      ...(request.task ? { path: 'prompt' as const } : {}),
    };
  }

  private taskSegmenter(task: string): TaskSegmenter {
    if (!this.tasks) throw new TaskModeUnavailableError(task, this.taskMode.reason ?? '');
    return this.tasks;
  }

  /** One prompt: the trunk once, then each head set picks its mask as SamOnnxModel would (SamRuntime.segment). */
  private async prompted(
    embedding: Tensor32,
    size: { width: number; height: number },
    request: SegmentRequest,
    headSets: HeadSet[],
  ): Promise<Omit<EngineSegmentation, 'taskMs'>> {
    const frame = new ImageFrame(size);
    const prompt: Prompt = { points: request.points, ...(request.box ? { box: request.box } : {}) };
    const started = performance.now();
    const trunk = await this.runtime.trunk(embedding, [prompt], size);
    const trunkMs = performance.now() - started;
    const tokens = encodePrompt(prompt, frame).tokens;
    const results: { sam?: HeadsResult; tasam?: HeadsResult } = {};
    for (const { kind, lora } of headSets) {
      const headsStarted = performance.now();
      const heads = predictHeads(trunk, this.runtime.headWeights(), lora);
      const [best] = selectMasks(heads.iouPredictions.subarray(0, 4), tokens, 'auto');
      const { mask } = upscaleMask(maskLogits(trunk, heads.maskWeights, 0, best), frame);
      results[kind] = {
        instances: [{ rle: encodeMask(mask, frame.height, frame.width), score: heads.iouPredictions[best] }],
        headsMs: performance.now() - headsStarted,
      };
    }
    return { ...results, trunkMs };
  }

  /**
   * The whole image. Without a task: SAM's automatic mask generator over the point grid. With a task, when the
   * engine grounds tasks: a task naming COCO categories takes the detector path (`detected`); any other task,
   * or every task without a detector, the scorer path: the TaskSegmenter scores every grid candidate for the
   * task (and, to compare, keeps plain SAM's) over one shared trunk pass. `trunkMs` is then the whole grid
   * pass, heads and selection included.
   */
  private async automatic(
    embedding: SamEmbedding,
    size: { width: number; height: number },
    request: SegmentRequest,
  ): Promise<EngineSegmentation> {
    const started = performance.now();
    if (!request.task) {
      const found = await this.runtime.everything(embedding.tensor, size, this.grid);
      const instances = found.map((instance) => ({ rle: instance.rle, score: instance.predictedIou }));
      return { sam: { instances }, trunkMs: performance.now() - started };
    }
    const segmenter = this.taskSegmenter(request.task);
    let grounding: Grounding | undefined;
    if (this.grounded) {
      grounding = await this.ground(this.grounded.grounder, request.task);
      if (grounding.grounded && embedding.pixels) {
        return this.detected(embedding, embedding.pixels, grounding, request, performance.now() - started);
      }
    }
    const groundMs = performance.now() - started;
    const result = await segmenter.automatic(embedding.tensor, size, [request.task], {
      ...this.grid,
      baseline: request.compare,
    });
    const toInstances = (list: { rle: HeadsResult['instances'][number]['rle']; predictedIou: number }[]) =>
      list.map((instance) => ({ rle: instance.rle, score: instance.predictedIou }));
    return {
      tasam: { instances: result.tasks[0].instances.map(({ rle, score }) => ({ rle, score })) },
      ...(result.baseline ? { sam: { instances: toInstances(result.baseline) } } : {}),
      taskMs: groundMs + result.timings.loraMs,
      trunkMs: result.timings.generateMs,
      path: 'scorer',
      ...(grounding ? { grounding: summarise(grounding) } : {}),
    };
  }

  /**
   * The detector path: the detector finds the task's categories, each box prompts SAM once (one trunk run per
   * box) and the task-adapted heads shape its mask; with `compare`, plain SAM's heads read the same trunk
   * outputs (detector + SAM). `trunkMs` is the boxes' trunk runs, heads and mask NMS.
   */
  private async detected(
    embedding: SamEmbedding,
    pixels: RgbPixels,
    grounding: Grounding,
    request: SegmentRequest,
    groundMs: number,
  ): Promise<EngineSegmentation> {
    const segmenter = (this.grounded as NonNullable<SamEngine['grounded']>).segmenter;
    const result = await segmenter.segment(pixels, embedding.tensor, [grounding], {
      baseline: request.compare,
    });
    const [found] = result.tasks;
    return {
      tasam: { instances: found.instances.map(groundedInstance) },
      ...(found.baseline ? { sam: { instances: found.baseline.map(groundedInstance) } } : {}),
      taskMs: groundMs + result.timings.loraMs,
      detectMs: result.timings.detectMs,
      trunkMs: result.timings.masksMs,
      path: 'detector',
      grounding: summarise(grounding),
    };
  }

  /** The task's grounding, computed once per task text (the text encoder embeds it; cached in memory). */
  private async ground(grounder: TaskGrounderLike, task: string): Promise<Grounding> {
    const hit = this.groundings.get(task);
    if (hit) return hit;
    const [grounding] = await grounder.groundMany([task]);
    if (this.groundings.size >= GROUNDING_CACHE_ENTRIES) {
      const oldest = this.groundings.keys().next().value;
      if (oldest !== undefined) this.groundings.delete(oldest);
    }
    this.groundings.set(task, grounding);
    return grounding;
  }
}

function groundedInstance(instance: GroundedInstance): MaskInstance {
  return {
    rle: instance.rle,
    score: instance.score,
    category: instance.category,
    detectorScore: instance.detectorScore,
  };
}

function summarise(grounding: Grounding): TaskGroundingSummary {
  return {
    grounded: grounding.grounded,
    categories: grounding.categories.map(({ id, name, score }) => ({ id, name, score })),
    colour: grounding.colour,
  };
}
