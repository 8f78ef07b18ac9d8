import { performance } from 'node:perf_hooks';
import { encodeMask } from '@tasam/coco-data';
import {
  AutomaticMaskGenerator,
  type AutomaticOptions,
  encodePrompt,
  type HeadLora,
  type HeadOutputs,
  type HeadsFunction,
  ImageFrame,
  maskLogits,
  type Prompt,
  predictHeads,
  SamRuntime,
  type SamRuntimeOptions,
  selectMasks,
  type Tensor32,
  type TrunkOutput,
  thresholdLogits,
  upscaleLogits,
} from '@tasam/sam-runtime';
import type { SegmentRequest } from './segment-request';
import type {
  EngineSegmentation,
  HeadsResult,
  SegmentationEngine,
  TaskModeStatus,
} from './segmentation-engine';
import type { RgbPixels } from './uploaded-image';

/** Turns task text into LoRA weights for the heads (text encoder + hypernetwork, cached per task). */
export interface TaskLoraSource {
  /** Names the checkpoint and text encoder, for /api/health. */
  readonly id: string;
  loraFor(task: string): Promise<HeadLora>;
}

export interface SamEngineOptions {
  runtime?: SamRuntimeOptions;
  /** Without it, requests with a task fail with DEMO_TASK_UNAVAILABLE (501). */
  taskLoras?: TaskLoraSource;
  /** Why `taskLoras` is missing, shown by /api/health and in the 501 message. */
  taskUnavailableReason?: string;
  /** Automatic ("everything") mode settings; the demo defaults to an 8x8 grid to answer in seconds. */
  automatic?: AutomaticOptions;
}

/**
 * The demo's automatic grid. SAM uses 32x32 points; on a 2-core CPU each point costs ~0.1-0.2 s of trunk, so
 * the demo prompts 8x8 (the large objects, in seconds); TASAM_DEMO_POINTS_PER_SIDE trades time for detail.
 */
export const DEMO_AUTOMATIC_DEFAULTS: AutomaticOptions = { pointsPerSide: 8, pointsPerBatch: 16 };

/**
 * Segmentation on @tasam/sam-runtime. Each request runs the task-free trunk once; plain SAM's heads and the
 * task-adapted heads both read that one trunk output, so the side-by-side comparison costs only extra heads.
 */
export class SamEngine implements SegmentationEngine<Tensor32> {
  readonly model: string;
  readonly taskMode: TaskModeStatus;

  private constructor(
    private readonly runtime: SamRuntime,
    private readonly options: SamEngineOptions,
  ) {
    this.model = runtime.models.version;
    this.taskMode = options.taskLoras
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
    let lora: HeadLora | undefined;
    let taskMs: number | undefined;
    if (request.task) {
      if (!this.options.taskLoras) throw new Error('task mode is unavailable; the server checks this first');
      const started = performance.now();
      lora = await this.options.taskLoras.loraFor(request.task);
      taskMs = performance.now() - started;
    }
    const headSets: { kind: 'sam' | 'tasam'; lora?: HeadLora }[] = [];
    if (!request.task || request.compare) headSets.push({ kind: 'sam' });
    if (lora) headSets.push({ kind: 'tasam', lora });
    const imageSize = { width: size.width, height: size.height };
    const outcome =
      request.mode === 'automatic'
        ? await this.automatic(embedding, imageSize, headSets)
        : await this.prompted(embedding, imageSize, request, headSets);
    return { ...outcome, taskMs };
  }

  /** One prompt: the trunk once, then each head set picks its mask as SamOnnxModel would. */
  private async prompted(
    embedding: Tensor32,
    size: { width: number; height: number },
    request: SegmentRequest,
    headSets: { kind: 'sam' | 'tasam'; lora?: HeadLora }[],
  ): Promise<Omit<EngineSegmentation, 'taskMs'>> {
    const frame = new ImageFrame(size);
    const prompt: Prompt = { points: request.points, ...(request.box ? { box: request.box } : {}) };
    const started = performance.now();
    const trunk = await this.runtime.trunk(embedding, [prompt], size);
    const trunkMs = performance.now() - started;
    const tokens = encodePrompt(prompt, frame).tokens;
    const results: Omit<EngineSegmentation, 'taskMs' | 'trunkMs'> = {};
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

  /** SAM's automatic mask generator over a point grid; every head set scores the same trunk batches. */
  private async automatic(
    embedding: Tensor32,
    size: { width: number; height: number },
    headSets: { kind: 'sam' | 'tasam'; lora?: HeadLora }[],
  ): Promise<Omit<EngineSegmentation, 'taskMs'>> {
    const generator = new AutomaticMaskGenerator({ ...DEMO_AUTOMATIC_DEFAULTS, ...this.options.automatic });
    let trunkMs = 0;
    const headsMs = headSets.map(() => 0);
    const runTrunk = async (prompts: Prompt[]): Promise<TrunkOutput> => {
      const started = performance.now();
      const output = await this.runtime.trunk(embedding, prompts, size);
      trunkMs += performance.now() - started;
      return output;
    };
    const heads: HeadsFunction[] = headSets.map(({ lora }, h) => (trunk: TrunkOutput): HeadOutputs => {
      const started = performance.now();
      const output = predictHeads(trunk, this.runtime.headWeights(), lora);
      headsMs[h] += performance.now() - started;
      return output;
    });
    const found = await generator.generate(runTrunk, size, heads);
    const results: { sam?: HeadsResult; tasam?: HeadsResult } = {};
    headSets.forEach(({ kind }, h) => {
      results[kind] = {
        instances: found[h].map((instance) => ({ rle: instance.rle, score: instance.predictedIou })),
        headsMs: headsMs[h],
      };
    });
    return { ...results, trunkMs };
  }
}
