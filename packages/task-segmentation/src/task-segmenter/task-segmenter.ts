import {
  embeddingGridCoverage,
  HypernetConfigError,
  pointPatchCoverage,
  pooledMaskFeatures,
  type TaskMaskScorer,
} from '@tasam/hypernet';
import type { LoraWeights } from '@tasam/lora';
import {
  type AutomaticInstance,
  AutomaticMaskGenerator,
  boxNms,
  type HeadLora,
  type HeadWeights,
  ImageFrame,
  type ImageSize,
  type MaskCandidate,
  type MaskOutputMode,
  type PointPrompt,
  type Prompt,
  predictHeads,
  type SamRuntime,
  type SegmentedMask,
  type Tensor32,
  type TrunkOutput,
  toAutomaticInstance,
} from '@tasam/sam-runtime';
import { IouHeadBase } from './task-iou-scores';

/**
 * Where a segmenter gets a task's LoRA: `TaskLoraGenerator` (hypernetwork in memory), or a cache in front of it
 * (e.g. the CLI's LoRA files, which spare loading the text encoder and the hypernetwork).
 */
export interface TaskLoraSource {
  /** Identifies the hypernetwork the LoRAs come from (e.g. the checkpoint's content hash). */
  readonly checkpointId: string;
  generate(task: string): Promise<LoraWeights>;
  /** The checkpoint's task scorer: which masks are the task's kind of object (absent in old checkpoints). */
  readonly scorer?: TaskMaskScorer;
  /** The task's sentence embedding (the scorer's input); required when `scorer` is set. */
  taskEmbedding?(task: string): Promise<Float32Array>;
}

/**
 * Task-aware automatic mode: SAM's automatic generator with candidates scored for the task. With the
 * checkpoint's task scorer, candidates are plain SAM's grid masks and the scorer says which the task names
 * (the task-adapted IoU head, trained on clicked objects, rates grid masks of the task's category too low to
 * propose them: 0 candidates for "segment all cats" on examples/cats.jpg at IoU 0.2); without a scorer, the
 * task-adapted heads propose and their predicted IoU is the score.
 */
export interface TaskAutomaticOptions {
  /** Grid of n x n points (default 8: the trunk costs ~150 ms a point on two cores). */
  pointsPerSide?: number;
  /**
   * Prompts per trunk call (default 2: the first call of a process costs 1.55 s for 16 guided points in batches
   * of 2, 2.0 s in 4s, 3.4 s in 16s, as onnxruntime grows its buffers; later calls 1.1-1.6 s whatever the batch).
   */
  pointsPerBatch?: number;
  /**
   * Keep task instances whose score is above this. With a task scorer the score is P(task's kind of object)
   * x predicted IoU (default 0.15); without one it is the task-adapted predicted IoU (default 0.5).
   */
  scoreThreshold?: number;
  /** With a task scorer: candidates need SAM's predicted IoU above this (default 0.88, SAM's pred_iou_thresh). */
  iouThreshold?: number;
  /**
   * With a task scorer: keep only masks for which the task is at least this fraction as likely as the
   * scorer's best-guess category (TaskMaskScorer.relative; default 0.8, 0 keeps every score, e.g. for AP).
   */
  relativeThreshold?: number;
  /** Keep plain-SAM instances whose predicted IoU is above this (default 0.88, SAM's pred_iou_thresh). */
  baselineThreshold?: number;
  /** Also return plain SAM's instances from the same trunk pass (default false). */
  baseline?: boolean;
  /** Stability-score filter (default 0.9). */
  stabilityScoreThresh?: number;
  /** Box NMS threshold (default 0.7). */
  boxNmsThresh?: number;
  /**
   * With a task scorer: prompt only the this many grid points per task that the scorer rates likeliest to lie
   * on the task's object (the 3x3-cell patch around each point), the union over tasks, instead of the whole
   * grid. On coco-mini val2017, the 16 best of a 16x16 grid contain about as many instances as the whole 8x8
   * grid (0.436 vs 0.459 of 1,360 instances; `node dist/bin/guided-coverage.js`) at a quarter of the trunk
   * runs. Default 0: the whole grid.
   */
  guidedPoints?: number;
  /** Called after each trunk batch with grid points done and total. */
  onProgress?: (done: number, total: number) => void;
}

/** A task's instance: `score` ranks instances (see TaskAutomaticOptions.scoreThreshold). */
export interface TaskInstance extends AutomaticInstance {
  score: number;
  /** The task scorer's P(this mask is what the task asks for); absent without a scorer. */
  taskProbability?: number;
  /** TaskMaskScorer.relative: the task against the scorer's best-guess category for the mask. */
  taskRelative?: number;
}

/** One task's instances, best score first. */
export interface TaskInstances {
  task: string;
  instances: TaskInstance[];
}

export interface TaskAutomaticResult {
  tasks: TaskInstances[];
  /** Plain SAM's instances from the same trunk pass (with `baseline: true`). */
  baseline?: AutomaticInstance[];
  /** Grid prompts run through the trunk: once per image, shared by every task (all of the grid unless guided). */
  trunkPrompts: number;
  /** Distinct heads evaluated per trunk batch (tasks whose LoRA is zero share plain SAM's). */
  headsEvaluated: number;
  /** Whether instances were scored by the checkpoint's task scorer. */
  scored: boolean;
  timings: { loraMs: number; generateMs: number };
}

/** Default score thresholds with and without a task scorer (see TaskAutomaticOptions.scoreThreshold). */
export const DEFAULT_SCORE_THRESHOLD = { scored: 0.15, unscored: 0.5 };

const DEFAULTS = {
  pointsPerSide: 8,
  pointsPerBatch: 2,
  iouThreshold: 0.88,
  relativeThreshold: 0.8,
  guidedPoints: 0,
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
    const { scorer } = this.generator;
    const scored = scorer !== undefined;
    const o = {
      ...DEFAULTS,
      scoreThreshold: scored ? DEFAULT_SCORE_THRESHOLD.scored : DEFAULT_SCORE_THRESHOLD.unscored,
      ...definedOnly(options),
    };
    checkThreshold('scoreThreshold', o.scoreThreshold);
    checkThreshold('iouThreshold', o.iouThreshold);
    checkThreshold('relativeThreshold', o.relativeThreshold);
    if (!Number.isInteger(o.guidedPoints) || o.guidedPoints < 0)
      throw new HypernetConfigError('guidedPoints', `must be a whole number >= 0, got ${o.guidedPoints}`);
    checkThreshold('baselineThreshold', o.baselineThreshold);

    let mark = performance.now();
    // With a scorer every task scores plain SAM's candidates: no LoRA is needed (a zero one stands in).
    const loras = scorer ? [] : await Promise.all(tasks.map((task) => this.lora(task)));
    const taskVectors = scorer ? await Promise.all(tasks.map((task) => this.taskVector(scorer, task))) : [];
    const loraMs = performance.now() - mark;

    // Distinct heads: plain SAM first, then one per distinct non-zero LoRA. A zero LoRA scores exactly as
    // plain SAM, so its task shares plain SAM's candidates instead of recomputing them.
    const weights = this.runtime.headWeights();
    const heads: (LoraWeights | undefined)[] = [undefined];
    const headOf = new Map<LoraWeights, number>();
    const taskHead = tasks.map((_, t) => {
      const lora = loras[t];
      if (!lora || isZeroLora(lora)) return 0;
      let h = headOf.get(lora);
      if (h === undefined) {
        h = heads.length;
        headOf.set(lora, h);
        heads.push(lora);
      }
      return h;
    });
    // A task's candidates need its predicted IoU above this: the mask-quality bar with a scorer (the scorer
    // then decides what the task asks for), the whole score without one.
    const taskIou = scored ? o.iouThreshold : o.scoreThreshold;
    const plainThresholds = [
      ...(options.baseline ? [o.baselineThreshold] : []),
      ...taskHead.flatMap((h) => (h === 0 ? [taskIou] : [])),
    ];
    const lowest = (list: number[]) => (list.length ? Math.min(...list) : taskIou);
    // One candidate filter per heads; thresholds above it are applied after, which gives the same set.
    const generators = heads.map(
      (_, h) =>
        new AutomaticMaskGenerator({
          pointsPerSide: o.pointsPerSide,
          pointsPerBatch: o.pointsPerBatch,
          predIouThresh: h === 0 ? lowest(plainThresholds) : taskIou,
          stabilityScoreThresh: o.stabilityScoreThresh,
          boxNmsThresh: o.boxNmsThresh,
        }),
    );

    // Plain SAM's own candidates are only needed for the baseline or a task whose LoRA is zero: skipping
    // them otherwise saves its heads, its full-size upscaling and its NMS on every grid point.
    const needed = heads.map((_, h) => h !== 0 || options.baseline === true || taskHead.includes(0));
    mark = performance.now();
    const grid = generators[0].pointGrid(size);
    const points =
      scorer && o.guidedPoints > 0 && o.guidedPoints < grid.length
        ? guidedGridPoints(grid, embedding, size, scorer, taskVectors, o.guidedPoints)
        : grid;
    const candidates = await collectShared(
      points,
      generators,
      (prompts) => this.runtime.trunk(embedding, prompts, size),
      size,
      weights,
      heads,
      needed,
      o.onProgress,
    );
    const frame = new ImageFrame(size);
    // Tasks sharing heads share candidates: each candidate's mask vector (or NMS) is computed once.
    const maskVectors = new Map<MaskCandidate, Float32Array | undefined>();
    const finished = new Map<number, AutomaticInstance[]>();
    const finish = (h: number) => {
      if (!finished.has(h)) finished.set(h, generators[h].finish(candidates[h], frame));
      return finished.get(h) as AutomaticInstance[];
    };
    const instancesOf = (t: number): TaskInstance[] => {
      const h = taskHead[t];
      if (!scorer) {
        return finish(h)
          .filter((i) => i.predictedIou > o.scoreThreshold)
          .map((i) => ({ ...i, score: i.predictedIou }));
      }
      const kept: { candidate: MaskCandidate; probability: number; relative: number; score: number }[] = [];
      for (const candidate of candidates[h]) {
        if (!(candidate.predictedIou > taskIou)) continue;
        if (!maskVectors.has(candidate)) {
          const features = pooledMaskFeatures(embedding, embeddingGridCoverage(candidate.rle));
          maskVectors.set(candidate, features && scorer.maskVector(features));
        }
        const vector = maskVectors.get(candidate);
        if (!vector) continue;
        const probability = scorer.probability(vector, taskVectors[t]);
        const score = probability * candidate.predictedIou;
        if (!(score > o.scoreThreshold)) continue;
        const relative = o.relativeThreshold > 0 ? scorer.relative(vector, probability) : 1;
        if (relative >= o.relativeThreshold) kept.push({ candidate, probability, relative, score });
      }
      const order = boxNms(
        kept.map((k) => k.candidate.box),
        kept.map((k) => k.score),
        o.boxNmsThresh,
      );
      return order
        .map((i) => kept[i])
        .map(({ candidate, probability, relative, score }) => ({
          ...toAutomaticInstance(candidate),
          score,
          taskProbability: probability,
          ...(o.relativeThreshold > 0 ? { taskRelative: relative } : {}),
        }))
        .sort((a, b) => b.score - a.score);
    };
    const found = tasks.map((task, t) => ({ task, instances: instancesOf(t) }));
    const baseline = options.baseline
      ? finish(0).filter((i) => i.predictedIou > o.baselineThreshold)
      : undefined;
    return {
      tasks: found,
      ...(baseline ? { baseline } : {}),
      trunkPrompts: points.length,
      headsEvaluated: heads.length,
      scored,
      timings: { loraMs, generateMs: performance.now() - mark },
    };
  }

  /** The scorer's vector for a task (the task's sentence embedding through the scorer's task tower). */
  private async taskVector(scorer: TaskMaskScorer, task: string): Promise<Float32Array> {
    if (!this.generator.taskEmbedding) {
      throw new HypernetConfigError('task source', 'has a task scorer but no taskEmbedding()');
    }
    return scorer.taskVector(await this.generator.taskEmbedding(task));
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

/**
 * The union over tasks of each task's `k` grid points whose 3x3-cell patch the scorer rates likeliest to show
 * the task's object, in grid order (TaskAutomaticOptions.guidedPoints).
 */
function guidedGridPoints(
  grid: readonly PointPrompt[],
  embedding: Tensor32,
  size: ImageSize,
  scorer: TaskMaskScorer,
  taskVectors: readonly Float32Array[],
  k: number,
): PointPrompt[] {
  const patches = grid.map((p) => {
    const features = pooledMaskFeatures(embedding, pointPatchCoverage(p.x, p.y, size));
    return features && scorer.maskVector(features);
  });
  const chosen = new Set<number>();
  for (const taskVector of taskVectors) {
    const p = patches.map((v) => (v ? scorer.probability(v, taskVector) : -1));
    const order = [...p.keys()].sort((a, b) => p[b] - p[a] || a - b);
    for (const i of order.slice(0, k)) chosen.add(i);
  }
  return [...chosen].sort((a, b) => a - b).map((i) => grid[i]);
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
 * the filters run only for prompts with a mask 1-3 above the task's threshold. Returns each heads' candidates
 * before NMS (tasks sharing heads are scored and suppressed separately).
 */
async function collectShared(
  points: readonly PointPrompt[],
  generators: readonly AutomaticMaskGenerator[],
  runTrunk: (prompts: Prompt[]) => Promise<TrunkOutput>,
  size: ImageSize,
  weights: HeadWeights,
  loras: readonly (LoraWeights | undefined)[],
  needed: readonly boolean[],
  onProgress?: (done: number, total: number) => void,
): Promise<MaskCandidate[][]> {
  const frame = new ImageFrame(size);
  const batch = generators[0].options.pointsPerBatch;
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
  return candidates.map((list, h) => (needed[h] ? list : []));
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
