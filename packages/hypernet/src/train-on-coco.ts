import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { DetectorBox } from '@tasam/coco-data';
import { HEAD_TARGETS, type LoraWeights, writeFileAtomic } from '@tasam/lora';
import type { HeadLora, SamRuntime } from '@tasam/sam-runtime';
import type { BatchPreparer } from './batch-preparation/batch-preparer';
import { BatchWorker } from './batch-preparation/batch-worker';
import { loadHypernet, saveHypernet } from './checkpoint';
import { CocoTrainingData } from './coco-training-data';
import { TrainingDataError } from './errors';
import { type HypernetConfig, resolveConfig } from './hypernet-config';
import { Hypernetwork } from './hypernetwork';
import { type TaskEmbedder, TaskLoraGenerator } from './task-lora-generator';
import type { TaskMaskScorer } from './task-mask-scorer';
import { useBackend } from './tf';
import { type ScorerMetrics, scorerMetrics, trainTaskScorer } from './train-task-scorer';
import {
  DEFAULT_TRAIN_OPTIONS,
  type StepRecord,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  train,
} from './trainer';

export interface TrainOnCocoOptions {
  coco: string;
  split: string;
  /** Run directory: checkpoints/, train.jsonl, hypernet.safetensors, loss-curve.svg, summary.json. */
  out: string;
  runtime: SamRuntime;
  /**
   * Prepare batches (embedding, trunk, targets) in a worker thread with its own SamRuntime (default true), so
   * they are computed while a step runs; false prepares them on the training thread, between steps.
   */
  batchWorker?: boolean;
  encoder: TaskEmbedder;
  epochs?: number;
  seed?: number;
  resume?: boolean;
  /**
   * Start from this checkpoint's hypernetwork instead of a fresh initialisation (fine-tuning, e.g. with new
   * sample kinds); its config must match the run's (same encoder, targets, rank).
   */
  init?: string;
  batchSize?: number;
  maxSamplesPerImage?: number;
  maxImages?: number;
  /** See CocoTrainingDataOptions.twinProbability. */
  twinProbability?: number;
  /** See CocoTrainingDataOptions.boxOnlyProbability. */
  boxOnlyProbability?: number;
  /** See CocoTrainingDataOptions.detectorBoxes. */
  detectorBoxes?: readonly DetectorBox[];
  train?: Partial<TrainOptions>;
  /** Hypernetwork shape overrides (rank, alpha, dModel...). */
  model?: {
    rank?: number;
    alpha?: number;
    dModel?: number;
    layers?: number;
    heads?: number;
    mlpDim?: number;
    dropout?: number;
  };
  /**
   * After training, plain SAM vs the trained network on this split (1-click and category mIoU, written to
   * `validation.json`); never a split trained on. Skipped when training was stopped early. `evaluate` runs the
   * protocols (@tasam/evaluation's `evaluateOnCoco`; the evaluation lives there, not in the hypernetwork).
   */
  validation?: {
    split: string;
    maxImages?: number;
    onImage?: (done: number, total: number) => void;
    evaluate: ValidationEvaluator;
  };
  /**
   * After training, fit the task scorer (which masks a task names; see TaskMaskScorer) on the same split and
   * store it in the model file (default true; iterations default 300).
   */
  scorer?: { enabled?: boolean; iterations?: number; onImage?: (done: number, total: number) => void };
  onStep?: (progress: TrainProgress) => void;
  onMessage?: (line: string) => void;
  shouldStop?: () => boolean;
}

/** Plain SAM vs tasam mIoU of one protocol (`overall` is the mean over every item). */
export interface ValidationMiou {
  plain: { overall: number };
  tasam: { overall: number };
}

/** What a validation reports: at least the 1-click and category protocols' mIoU (@tasam/evaluation's result). */
export interface ValidationSummary {
  oneClick: ValidationMiou;
  category: ValidationMiou;
}

/** Runs the validation protocols on a COCO split with the trained network's LoRAs. */
export type ValidationEvaluator = (options: {
  coco: string;
  split: string;
  runtime: SamRuntime;
  loraFor: (task: string) => Promise<LoraWeights | HeadLora>;
  seed?: number;
  maxImages?: number;
  onImage?: (done: number, total: number) => void;
}) => Promise<ValidationSummary>;

export interface TrainOnCocoResult extends TrainResult {
  modelPath: string;
  curvePath: string;
  summaryPath: string;
  /** The validation summary, when asked for and training finished. */
  validation?: ValidationSummary & { split: string; path: string };
  /** Samples per second over the run (after the embedding pass). */
  samplesPerSecond: number;
}

/** Reads a JSONL training log. */
export async function readTrainingLog(path: string): Promise<StepRecord[]> {
  const text = await fs.readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as StepRecord);
}

/**
 * `tasam train`: coco-data samples → cached embeddings → trunk (onnxruntime) → hypernetwork + heads + loss
 * (tfjs). Writes the final model (`hypernet.safetensors`), the loss curve (`loss-curve.svg`) and a summary.
 */
export async function trainOnCoco(options: TrainOnCocoOptions): Promise<TrainOnCocoResult> {
  await useBackend();
  const epochs = options.epochs ?? DEFAULT_TRAIN_OPTIONS.epochs;
  const seed = options.seed ?? 0;
  const config = resolveConfig({
    textEncoderId: options.encoder.id,
    textDim: options.encoder.dim,
    targets: [...HEAD_TARGETS],
    ...options.model,
  });
  const preparer = options.batchWorker === false ? undefined : await startBatchWorker(options);
  let result: TrainResult;
  try {
    result = await trainOnBatches(options, { config, epochs, seed }, preparer);
  } finally {
    await preparer?.close();
  }
  const modelPath = join(options.out, 'hypernet.safetensors');
  const curvePath = join(options.out, 'loss-curve.svg');
  const summaryPath = join(options.out, 'summary.json');
  const records = await readTrainingLog(result.logPath);
  // A resumed run's log holds the steps of every attempt; keep the last record of each step.
  const byStep = new Map(records.map((r) => [r.step, r]));
  const steps = [...byStep.values()].sort((a, b) => a.step - b.step);
  const losses = steps.map((r) => r.loss);
  // Loaded here, not at import: charts bring vega, ~0.15 s of every process that only segments.
  const { lossCurveSvg, smooth } = await import('@tasam/charts');
  const ema = smooth(losses);
  await writeFileAtomic(
    curvePath,
    utf8(
      await lossCurveSvg([
        ...steps.map((r) => ({ step: r.step, loss: r.loss, series: 'loss (per step)' })),
        ...steps.map((r, i) => ({ step: r.step, loss: ema[i], series: 'loss (EMA 0.95)' })),
      ]),
    ),
  );
  let scorer: TaskMaskScorer | undefined;
  let scorerMetricsOnTrain: ScorerMetrics | undefined;
  if (!result.stopped && options.scorer?.enabled !== false) {
    options.onMessage?.(`fitting the task scorer on ${options.split}`);
    const fitted = await trainTaskScorer({
      coco: options.coco,
      split: options.split,
      runtime: options.runtime,
      encoder: options.encoder,
      seed,
      maxImages: options.maxImages,
      iterations: options.scorer?.iterations,
      onImage: options.scorer?.onImage,
    });
    scorer = fitted.scorer;
    scorerMetricsOnTrain = scorerMetrics(fitted.scorer, fitted.data, fitted.phrasings);
  }
  if (!result.stopped) {
    await saveHypernet(modelPath, result.net, {
      scorer,
      metadata: {
        trained_on: `${options.coco} ${options.split}`,
        epochs: String(epochs),
        seed: String(seed),
      },
    });
  }
  let validation: TrainOnCocoResult['validation'];
  if (!result.stopped && options.validation) {
    const { split, maxImages, onImage, evaluate } = options.validation;
    if (split === options.split)
      throw new TrainingDataError(`validation split ${split}`, 'is the training split');
    options.onMessage?.(`validating on ${split}${maxImages ? ` (first ${maxImages} images)` : ''}`);
    const generator = TaskLoraGenerator.fromNetwork(result.net, options.encoder);
    const evaluation = await evaluate({
      coco: options.coco,
      split,
      runtime: options.runtime,
      loraFor: (task) => generator.generate(task),
      seed,
      maxImages,
      onImage,
    });
    const path = join(options.out, 'validation.json');
    await writeFileAtomic(path, utf8(`${JSON.stringify({ split, ...evaluation }, null, 2)}\n`));
    validation = { split, path, ...evaluation };
  }
  const samplesPerSecond = result.samples / Math.max(result.seconds, 1e-3);
  const summary = {
    steps: result.state.step,
    samples: result.samples,
    seconds: result.seconds,
    samplesPerSecond,
    stopped: result.stopped,
    firstLoss: ema[0],
    lastLoss: ema[ema.length - 1],
    ...(scorerMetricsOnTrain ? { scorerOnTrainingSplit: scorerMetricsOnTrain } : {}),
    ...(validation
      ? {
          validation: {
            split: validation.split,
            oneClick: validation.oneClick,
            category: validation.category,
          },
        }
      : {}),
    config,
  };
  await writeFileAtomic(summaryPath, utf8(`${JSON.stringify(summary, null, 2)}\n`));
  return { ...result, modelPath, curvePath, summaryPath, samplesPerSecond, validation };
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * The batch worker of a run: the runtime's models and caches, one onnxruntime thread unless asked otherwise (the
 * training thread keeps the other core busy; measured on 2 cores: 8.4 samples/s with 1 trunk thread, 7.1 with
 * onnxruntime's default of all cores).
 */
async function startBatchWorker(options: TrainOnCocoOptions): Promise<BatchWorker> {
  const { log: _log, ...runtime } = options.runtime.options;
  return BatchWorker.start({
    runtime: { ...runtime, intraOpThreads: runtime.intraOpThreads ?? 1 },
    log: options.onMessage,
  });
}

/** The training part of trainOnCoco: COCO samples → batches (from `preparer`, or this thread) → train(). */
async function trainOnBatches(
  options: TrainOnCocoOptions,
  { config, epochs, seed }: { config: HypernetConfig; epochs: number; seed: number },
  preparer: BatchPreparer | undefined,
): Promise<TrainResult> {
  const data = await CocoTrainingData.create({
    coco: options.coco,
    split: options.split,
    epochs,
    seed,
    batchSize: options.batchSize,
    maxSamplesPerImage: options.maxSamplesPerImage,
    twinProbability: options.twinProbability,
    boxOnlyProbability: options.boxOnlyProbability,
    detectorBoxes: options.detectorBoxes,
    maxImages: options.maxImages,
    runtime: options.runtime,
    preparer,
    encoder: options.encoder,
    onProgress: options.onMessage,
  });
  options.onMessage?.(
    `${data.sampleCount} samples in ${Array.from({ length: epochs }, (_, e) => data.batchesPerEpoch(e)).reduce((a, b) => a + b, 0)} steps over ${epochs} epoch(s)`,
  );
  const net = options.init
    ? (await loadHypernet(options.init, { textEncoderId: config.textEncoderId })).net
    : Hypernetwork.initialise(config, seed);
  return train({
    runDir: options.out,
    net,
    heads: options.runtime.headWeights(),
    data,
    resume: options.resume,
    options: { ...options.train, epochs, seed },
    onStep: options.onStep,
    shouldStop: options.shouldStop,
  });
}
