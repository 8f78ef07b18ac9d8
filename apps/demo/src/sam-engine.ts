import { performance } from 'node:perf_hooks';
import { encodeMask } from '@tasam/coco-data';
import { type TaskLoraGenerator, TaskSegmenter } from '@tasam/hypernet';
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
  thresholdLogits,
  upscaleLogits,
} from '@tasam/sam-runtime';
import { TaskModeUnavailableError } from './errors/task-mode-unavailable-error';
import type { SegmentRequest } from './segment-request';
import type {
  EngineSegmentation,
  HeadsResult,
  SegmentationEngine,
  TaskModeStatus,
} from './segmentation-engine';
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
}

/**
 * The demo's automatic grid. SAM uses 32x32 points; on a 2-core CPU each point costs ~0.1-0.2 s of trunk, so
 * the demo prompts 8x8 (the large objects, in seconds); TASAM_DEMO_POINTS_PER_SIDE trades time for detail.
 */
export const DEMO_AUTOMATIC_DEFAULTS: Required<AutomaticGrid> = { pointsPerSide: 8, pointsPerBatch: 16 };

type HeadSet = { kind: 'sam' | 'tasam'; lora?: HeadLora };

/**
 * Segmentation on @tasam/sam-runtime, and by task through @tasam/hypernet's TaskSegmenter. Every request runs
 * the task-free trunk once: plain SAM's heads and the task-adapted heads both read that one trunk output, so
 * the side-by-side comparison costs only a second set of heads.
 */
export class SamEngine implements SegmentationEngine<Tensor32> {
  readonly model: string;
  readonly taskMode: TaskModeStatus;
  private readonly grid: Required<AutomaticGrid>;
  private readonly tasks?: TaskSegmenter;

  private constructor(
    private readonly runtime: SamRuntime,
    options: SamEngineOptions,
  ) {
    this.model = runtime.models.version;
    this.grid = { ...DEMO_AUTOMATIC_DEFAULTS, ...options.automatic };
    this.tasks = options.taskLoras && new TaskSegmenter(runtime, options.taskLoras);
    this.taskMode = this.tasks
      ? { available: true }
      : { available: false, reason: options.taskUnavailableReason ?? 'no hypernet checkpoint is loaded' };
  }

  static async create(options: SamEngineOptions = {}): Promise<SamEngine> {
    return new SamEngine(await SamRuntime.create(options.runtime ?? {}), options);
  }

  embed(image: RgbPixels): Promise<Tensor32> {
    return this.runtime.embed(image);
  }

  async segment(
    embedding: Tensor32,
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
    return { ...(await this.prompted(embedding, imageSize, request, headSets)), taskMs };
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
      const mask = thresholdLogits(upscaleLogits(maskLogits(trunk, heads.maskWeights, 0, best), frame));
      results[kind] = {
        instances: [{ rle: encodeMask(mask, frame.height, frame.width), score: heads.iouPredictions[best] }],
        headsMs: performance.now() - headsStarted,
      };
    }
    return { ...results, trunkMs };
  }

  /**
   * The point grid over the whole image. Without a task: SAM's automatic mask generator. With a task: the
   * TaskSegmenter, which scores every grid candidate with the task-adapted heads (and, to compare, plain
   * SAM's) over one shared trunk pass. `trunkMs` is then the whole grid pass, heads and selection included.
   */
  private async automatic(
    embedding: Tensor32,
    size: { width: number; height: number },
    request: SegmentRequest,
  ): Promise<EngineSegmentation> {
    const started = performance.now();
    if (!request.task) {
      const found = await this.runtime.everything(embedding, size, this.grid);
      const instances = found.map((instance) => ({ rle: instance.rle, score: instance.predictedIou }));
      return { sam: { instances }, trunkMs: performance.now() - started };
    }
    const result = await this.taskSegmenter(request.task).automatic(embedding, size, [request.task], {
      ...this.grid,
      baseline: request.compare,
    });
    const toInstances = (list: { rle: HeadsResult['instances'][number]['rle']; predictedIou: number }[]) =>
      list.map((instance) => ({ rle: instance.rle, score: instance.predictedIou }));
    return {
      tasam: { instances: result.tasks[0].instances.map(({ rle, score }) => ({ rle, score })) },
      ...(result.baseline ? { sam: { instances: toInstances(result.baseline) } } : {}),
      taskMs: result.timings.loraMs,
      trunkMs: result.timings.generateMs,
    };
  }
}
