import type { LoraWeights } from '@tasam/lora';
import {
  type AutomaticInstance,
  AutomaticMaskGenerator,
  type HeadLora,
  type HeadWeights,
  ImageFrame,
  type ImageSize,
  type MaskOutputMode,
  type Prompt,
  predictHeads,
  type SamRuntime,
  type SegmentedMask,
  type Tensor32,
  type TrunkOutput,
} from '@tasam/sam-runtime';
import { HypernetConfigError } from './errors';
import { IouHeadBase } from './task-iou-scores';

/**
 * Where a segmenter gets a task's LoRA: `TaskLoraGenerator` (hypernetwork in memory), or a cache in front of it
 * (e.g. the CLI's LoRA files, which spare loading the text encoder and the hypernetwork).
 */
export interface TaskLoraSource {
  /** Identifies the hypernetwork the LoRAs come from (e.g. the checkpoint's content hash). */
  readonly checkpointId: string;
  generate(task: string): Promise<LoraWeights>;
}

/** Task-aware automatic mode: SAM's automatic generator with every candidate scored by the task's IoU head. */
export interface TaskAutomaticOptions {
  /** Grid of n x n points (default 8: the trunk costs ~90 ms a point on two cores). */
  pointsPerSide?: number;
  /** Prompts per trunk call (default 16). */
  pointsPerBatch?: number;
  /** Keep task instances whose task-adapted predicted IoU is above this (default 0.5). */
  scoreThreshold?: number;
  /** Keep plain-SAM instances whose predicted IoU is above this (default 0.88, SAM's pred_iou_thresh). */
  baselineThreshold?: number;
  /** Also return plain SAM's instances from the same trunk pass (default false). */
  baseline?: boolean;
  /** Stability-score filter (default 0.9). */
  stabilityScoreThresh?: number;
  /** Box NMS threshold (default 0.7). */
  boxNmsThresh?: number;
  /** Called after each trunk batch with grid points done and total. */
  onProgress?: (done: number, total: number) => void;
}

/** One task's instances, best score first. `score` is the task-adapted predicted IoU. */
export interface TaskInstances {
  task: string;
  instances: AutomaticInstance[];
}

export interface TaskAutomaticResult {
  tasks: TaskInstances[];
  /** Plain SAM's instances from the same trunk pass (with `baseline: true`). */
  baseline?: AutomaticInstance[];
  /** Grid prompts run through the trunk: once per image, whatever the number of tasks. */
  trunkPrompts: number;
  /** Distinct heads evaluated per trunk batch (tasks whose LoRA is zero share plain SAM's). */
  headsEvaluated: number;
  timings: { loraMs: number; generateMs: number };
}

const DEFAULTS = {
  pointsPerSide: 8,
  pointsPerBatch: 16,
  scoreThreshold: 0.5,
  baselineThreshold: 0.88,
  stabilityScoreThresh: 0.9,
  boxNmsThresh: 0.7,
};

/** True when the LoRA changes nothing (every B zero, or zero scaling): e.g. an untrained hypernetwork. */
export function isZeroLora(lora: HeadLora): boolean {
  if (lora.scaling === 0) return true;
  for (const { b } of lora.layers.values()) for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function checkThreshold(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new HypernetConfigError(name, `must be a finite number, got ${value}`);
}

/**
 * Segments by task: a text encoder and a hypernetwork (`TaskLoraGenerator`, one LoRA per task, cached) adapt
 * SAM's decoder heads on top of one `SamRuntime`. Nothing upstream of the heads depends on the task, so the
 * trunk runs once per image and prompt and every task (and plain SAM) only adds a pass of the cheap heads.
 */
export class TaskSegmenter {
  constructor(
    readonly runtime: SamRuntime,
    readonly generator: TaskLoraSource,
  ) {}

  /** The task's LoRA (generated once per task, then cached by the generator). */
  lora(task: string): Promise<LoraWeights> {
    return this.generator.generate(task);
  }

  /**
   * Task-aware automatic mode: a point grid goes through the trunk ONCE, in batches; each batch is scored by
   * plain SAM's heads and by each task's adapted heads; per task, candidates whose adapted predicted IoU
   * passes `scoreThreshold` and the stability filter survive box NMS and become its instances.
   */
  async automatic(
    embedding: Tensor32,
    size: ImageSize,
    tasks: readonly string[],
    options: TaskAutomaticOptions = {},
  ): Promise<TaskAutomaticResult> {
    const o = { ...DEFAULTS, ...definedOnly(options) };
    checkThreshold('scoreThreshold', o.scoreThreshold);
    checkThreshold('baselineThreshold', o.baselineThreshold);

    let mark = performance.now();
    const loras = await Promise.all(tasks.map((task) => this.lora(task)));
    const loraMs = performance.now() - mark;

    // Distinct heads: plain SAM first, then one per distinct non-zero LoRA. A zero LoRA scores exactly as
    // plain SAM, so its task shares plain SAM's candidates instead of recomputing them.
    const weights = this.runtime.headWeights();
    const heads: (LoraWeights | undefined)[] = [undefined];
    const headOf = new Map<LoraWeights, number>();
    const taskHead = loras.map((lora) => {
      if (isZeroLora(lora)) return 0;
      let h = headOf.get(lora);
      if (h === undefined) {
        h = heads.length;
        headOf.set(lora, h);
        heads.push(lora);
      }
      return h;
    });
    const plainThresholds = [
      ...(options.baseline ? [o.baselineThreshold] : []),
      ...taskHead.flatMap((h) => (h === 0 ? [o.scoreThreshold] : [])),
    ];
    const lowest = (list: number[]) => (list.length ? Math.min(...list) : o.scoreThreshold);
    // One candidate filter per heads; thresholds above it are applied after NMS, which gives the same set:
    // a candidate under a threshold only suppresses lower-scored candidates, which are under it as well.
    const generators = heads.map(
      (_, h) =>
        new AutomaticMaskGenerator({
          pointsPerSide: o.pointsPerSide,
          pointsPerBatch: o.pointsPerBatch,
          predIouThresh: h === 0 ? lowest(plainThresholds) : o.scoreThreshold,
          stabilityScoreThresh: o.stabilityScoreThresh,
          boxNmsThresh: o.boxNmsThresh,
        }),
    );

    // Plain SAM's own candidates are only needed for the baseline or a task whose LoRA is zero: skipping
    // them otherwise saves its heads, its full-size upscaling and its NMS on every grid point.
    const needed = heads.map((_, h) => h !== 0 || options.baseline === true || taskHead.includes(0));
    mark = performance.now();
    const found = await generateShared(
      generators,
      (prompts) => this.runtime.trunk(embedding, prompts, size),
      size,
      weights,
      heads,
      needed,
      o.onProgress,
    );
    const generateMs = performance.now() - mark;

    const above = (list: AutomaticInstance[], threshold: number) =>
      list.filter((instance) => instance.predictedIou > threshold);
    return {
      tasks: tasks.map((task, t) => ({ task, instances: above(found[taskHead[t]], o.scoreThreshold) })),
      ...(options.baseline ? { baseline: above(found[0], o.baselineThreshold) } : {}),
      trunkPrompts: o.pointsPerSide * o.pointsPerSide,
      headsEvaluated: heads.length,
      timings: { loraMs, generateMs },
    };
  }

  /** Prompted mode (points and/or box): SAM's masks for the prompt, with the task's heads when a task is given. */
  async prompted(
    embedding: Tensor32,
    size: ImageSize,
    prompt: Prompt,
    task?: string,
    options: { masks?: MaskOutputMode } = {},
  ): Promise<SegmentedMask[]> {
    const lora = task === undefined ? undefined : await this.lora(task);
    return this.runtime.segment(embedding, size, prompt, { masks: options.masks, lora });
  }
}

/** The trunk output of one prompt of a batch, as views (no copies). */
function promptView(trunk: TrunkOutput, p: number): TrunkOutput {
  const up = UPSCALED_VALUES;
  return {
    n: 1,
    iouToken: trunk.iouToken.subarray(p * 256, (p + 1) * 256),
    maskTokens: trunk.maskTokens.subarray(p * 1024, (p + 1) * 1024),
    upscaled: trunk.upscaled.subarray(p * up, (p + 1) * up),
  };
}

const UPSCALED_VALUES = 32 * 256 * 256;
/** Prompts whose task score is this close under the threshold still get the exact check (float safety). */
const SCORE_MARGIN = 1e-4;

/**
 * The grid pass shared by plain SAM and every task: one trunk call per batch; plain SAM's full heads once;
 * per task, the IoU head alone scores every prompt (IouHeadBase), and the full adapted heads, the masks and
 * the filters run only for prompts with a mask 1-3 above the task's threshold; then NMS per heads.
 */
async function generateShared(
  generators: readonly AutomaticMaskGenerator[],
  runTrunk: (prompts: Prompt[]) => Promise<TrunkOutput>,
  size: ImageSize,
  weights: HeadWeights,
  loras: readonly (LoraWeights | undefined)[],
  needed: readonly boolean[],
  onProgress?: (done: number, total: number) => void,
): Promise<AutomaticInstance[][]> {
  const frame = new ImageFrame(size);
  const first = generators[0];
  const points = first.pointGrid(size);
  const batch = first.options.pointsPerBatch;
  const candidates = loras.map(() => [] as ReturnType<AutomaticMaskGenerator['collect']>);
  for (let start = 0; start < points.length; start += batch) {
    const chunk = points.slice(start, start + batch);
    const trunk = await runTrunk(chunk.map((point) => ({ points: [point] })));
    const base = loras.length > 1 ? new IouHeadBase(trunk, weights) : undefined;
    loras.forEach((lora, h) => {
      if (!needed[h]) return;
      const generator = generators[h];
      if (!lora || !base) {
        candidates[h].push(...generator.collect(trunk, predictHeads(trunk, weights, lora), chunk, frame));
        return;
      }
      const scores = base.scores(lora);
      const threshold = generator.options.predIouThresh - SCORE_MARGIN;
      for (let p = 0; p < trunk.n; p++) {
        if (
          !(scores[p * 4 + 1] > threshold || scores[p * 4 + 2] > threshold || scores[p * 4 + 3] > threshold)
        )
          continue;
        const one = promptView(trunk, p);
        candidates[h].push(...generator.collect(one, predictHeads(one, weights, lora), [chunk[p]], frame));
      }
    });
    onProgress?.(Math.min(start + batch, points.length), points.length);
  }
  return candidates.map((list, h) => (needed[h] ? generators[h].finish(list, frame) : []));
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
