import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@tasam/lora';
import { AdamW, DEFAULT_ADAMW, learningRate } from './adamw';
import { TrainingDataError } from './errors';
import { fusedSamLoss } from './fused-mask-loss';
import { type Hypernetwork, oneHotRows } from './hypernetwork';
import { DEFAULT_LOSS_WEIGHTS, type LossParts, type LossWeights } from './losses';
import { mixSeed } from './rng';
import { tf, useGradients } from './tf';
import { type BatchLora, type HeadWeightsLike, MASK_TOKENS, TfHeads } from './tf-heads';
import { TrainingCheckpoints, type TrainingState } from './training-checkpoints';

/** One training sample: a prompt's target and what the task asks. */
export interface TrainingSample {
  /** Index into TrainingData.taskVectors. */
  taskIndex: number;
  /** Which of the batch's trunk prompts this sample uses (samples that share a prompt share its trunk run). */
  prompt: number;
  /** Single-point prompt: train the best of the three multimask outputs. */
  multimask: boolean;
  /** The task names a category absent from the prompt's object: empty mask, IoU 0. */
  negative: boolean;
  /** Target in the letterboxed 256x256 low-res frame, row-major 0/1. */
  target: Uint8Array;
}

/** A batch: the samples of one image and the trunk outputs of their distinct prompts (one batched trunk run). */
export interface TrainingBatch {
  trunk: { n: number; iouToken: Float32Array; maskTokens: Float32Array; upscaled: Float32Array };
  samples: TrainingSample[];
}

/** Where samples come from. The same (epoch, batch index) must always give the same batch (resume, seeds). */
export interface TrainingData {
  /** Text embeddings of all tasks, each textDim long. */
  taskVectors: readonly Float32Array[];
  batchesPerEpoch(epoch: number): number;
  /** The batches of `epoch` from `start` on, in a fixed order. */
  batches(epoch: number, start: number): AsyncIterable<TrainingBatch>;
}

export interface TrainOptions {
  epochs: number;
  seed: number;
  /** Peak learning rate (reference: 1e-4). */
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  clipNorm: number;
  /** Checkpoint every this many steps (and at the end). */
  checkpointEvery: number;
  /**
   * Learning-rate multiplier of the A/B output heads. Adam moves every weight by ~lr per step whatever its
   * gradient, and a head's 512 inputs add up coherently, so at the trunk's lr each step would change the
   * generated LoRA (and the decoder) by tens of percent; the heads learn at a fraction of it.
   */
  headLrScale: number;
  loss: LossWeights;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 2,
  seed: 0,
  lr: 1e-4,
  warmupSteps: 20,
  weightDecay: DEFAULT_ADAMW.weightDecay,
  clipNorm: DEFAULT_ADAMW.clipNorm,
  checkpointEvery: 50,
  headLrScale: 0.02,
  loss: DEFAULT_LOSS_WEIGHTS,
};

/** One line of the JSONL training log. */
export interface StepRecord {
  step: number;
  epoch: number;
  batch: number;
  samples: number;
  lr: number;
  loss: number;
  mask: number;
  focal: number;
  dice: number;
  iou: number;
  l2: number;
  gradNorm: number;
  /** Wall time of this step including data (ms). */
  ms: number;
  /** Of which waiting for the batch (trunk run not hidden behind the previous step). */
  waitMs: number;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  record: StepRecord;
  samplesPerSecond: number;
}

export interface TrainRun {
  /** The run directory: checkpoints/, train.jsonl, loss-curve.svg. */
  runDir: string;
  net: Hypernetwork;
  heads: HeadWeightsLike;
  data: TrainingData;
  options?: Partial<TrainOptions>;
  /** Stops cleanly between steps (after a checkpoint) when it returns true. */
  shouldStop?: () => boolean;
  onStep?: (progress: TrainProgress) => void;
  /** Continue from `<runDir>/checkpoints/latest.json` (net is replaced by the checkpoint's). */
  resume?: boolean;
}

export interface TrainResult {
  net: Hypernetwork;
  state: TrainingState;
  steps: number;
  samples: number;
  seconds: number;
  stopped: boolean;
  logPath: string;
}

/**
 * Trains the hypernetwork on trunk outputs: per batch, hypernetwork forward for the batch's tasks, the
 * LoRA-adapted heads, SAM's loss, backward through heads and hypernetwork (never the trunk), AdamW with
 * warmup + cosine and clipping. Checkpoints atomically every `checkpointEvery` steps and at the end.
 * The next batch's data (trunk run) is requested before the current step starts so they overlap.
 */
export async function train(run: TrainRun): Promise<TrainResult> {
  const checkpoints = new TrainingCheckpoints(run.runDir);
  let net = run.net;
  let options: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...run.options };
  let state: TrainingState;
  const epochSizes = Array.from({ length: options.epochs }, (_, e) => run.data.batchesPerEpoch(e));
  const totalSteps = epochSizes.reduce((a, b) => a + b, 0);
  if (totalSteps === 0) throw new TrainingDataError('training data', 'has no batches');
  let restored: Awaited<ReturnType<TrainingCheckpoints['loadLatest']>> | undefined;
  if (run.resume) {
    restored = await checkpoints.loadLatest();
    net.dispose();
    net = restored.net;
    options = { ...options, ...(restored.state.options as Partial<TrainOptions>) };
    state = { ...restored.state };
  } else {
    await checkpoints.discard();
    state = { step: 0, epoch: 0, batchInEpoch: 0, seed: options.seed, totalSteps, options: { ...options } };
  }
  const optimizer = new AdamW(net.params, {
    ...DEFAULT_ADAMW,
    weightDecay: options.weightDecay,
    clipNorm: options.clipNorm,
  });
  if (restored) optimizer.loadState(restored.optimizer.step, restored.optimizer.arrays);
  const heads = new TfHeads(run.heads);
  await fs.mkdir(run.runDir, { recursive: true });
  const logPath = join(run.runDir, 'train.jsonl');
  await keepLogBefore(logPath, state.step);
  const log = await fs.open(logPath, 'a');
  const started = Date.now();
  let samplesDone = 0;
  let stepsDone = 0;
  let stopped = false;
  try {
    for (let epoch = state.epoch; epoch < options.epochs && !stopped; epoch++) {
      const iterator = run.data
        .batches(epoch, epoch === state.epoch ? state.batchInEpoch : 0)
        [Symbol.asyncIterator]();
      let batchIndex = epoch === state.epoch ? state.batchInEpoch : 0;
      // A batch still being prepared when a stop is requested may fail once its preparer is closed; nothing
      // waits for it then, so its rejection is marked handled here (awaiting `pending` still throws).
      const prefetch = () => {
        const next = iterator.next();
        next.catch(() => undefined);
        return next;
      };
      let pending = prefetch();
      while (true) {
        const t0 = Date.now();
        const next = await pending;
        const t1 = Date.now();
        if (next.done) break;
        pending = prefetch(); // the next batch is prepared while this step runs
        const record = trainStep(net, heads, optimizer, run.data, next.value, {
          step: state.step,
          totalSteps: state.totalSteps,
          options,
        });
        Object.assign(record, { epoch, batch: batchIndex, ms: Date.now() - t0, waitMs: t1 - t0 });
        state = { ...state, step: state.step + 1, epoch, batchInEpoch: batchIndex + 1 };
        batchIndex += 1;
        stepsDone += 1;
        samplesDone += record.samples;
        await log.write(`${JSON.stringify(record)}\n`);
        const seconds = (Date.now() - started) / 1000;
        run.onStep?.({
          step: state.step,
          totalSteps: state.totalSteps,
          epoch,
          record,
          samplesPerSecond: samplesDone / Math.max(seconds, 1e-3),
        });
        const stopNow = run.shouldStop?.() ?? false;
        if (state.step % options.checkpointEvery === 0 || stopNow)
          await checkpoints.save(net, optimizer, state);
        if (stopNow) {
          stopped = true;
          break;
        }
      }
      if (!stopped) state = { ...state, epoch: epoch + 1, batchInEpoch: 0 };
    }
    if (!stopped) await checkpoints.save(net, optimizer, state);
  } finally {
    await log.close();
    heads.dispose();
    optimizer.dispose();
  }
  return {
    net,
    state,
    steps: stepsDone,
    samples: samplesDone,
    seconds: (Date.now() - started) / 1000,
    stopped,
    logPath,
  };
}

/**
 * Cuts the JSONL log back to the records of the steps before `step` (the checkpoint a run resumes from; 0 for a
 * fresh run), atomically: steps after the checkpoint are trained again and logged again, and a line a killed
 * run left half-written (or any line that does not parse) goes with them. Each record is then appended with
 * one write, so after a kill the log holds whole records of the steps done, and a resumed run's log equals an
 * uninterrupted run's except for the timings (`ms`, `waitMs`).
 */
async function keepLogBefore(path: string, step: number): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    return; // no log yet
  }
  const kept: string[] = [];
  if (step > 0) {
    for (const line of text.split('\n')) {
      let record: { step?: unknown };
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof record?.step === 'number' && record.step < step) kept.push(`${line}\n`);
    }
  }
  const next = kept.join('');
  if (next !== text) await writeFileAtomic(path, new TextEncoder().encode(next));
}

/** One optimizer step on one batch; returns its log record (epoch, batch, ms filled by the caller). */
export function trainStep(
  net: Hypernetwork,
  heads: TfHeads,
  optimizer: AdamW,
  data: TrainingData,
  batch: TrainingBatch,
  ctx: { step: number; totalSteps: number; options: TrainOptions },
): StepRecord {
  const { samples, trunk } = batch;
  const n = samples.length;
  for (const s of samples) {
    if (!(Number.isInteger(s.prompt) && s.prompt >= 0 && s.prompt < trunk.n))
      throw new TrainingDataError(
        'batch',
        `a sample uses prompt ${s.prompt}, the trunk ran ${trunk.n} prompts`,
      );
  }
  const { options } = ctx;
  const lr = learningRate(ctx.step, ctx.totalSteps, options.lr, options.warmupSteps);
  const taskIds = [...new Set(samples.map((s) => s.taskIndex))];
  const textDim = net.config.textDim;
  const text = new Float32Array(taskIds.length * textDim);
  taskIds.forEach((id, i) => {
    const v = data.taskVectors[id];
    if (!v || v.length !== textDim) throw new TrainingDataError(`task ${id}`, `needs a ${textDim}-d vector`);
    text.set(v, i * textDim);
  });
  const sampleTask = Int32Array.from(samples, (s) => taskIds.indexOf(s.taskIndex));

  useGradients();
  tf.engine().startScope();
  try {
    const prompt = Int32Array.from(samples, (s) => s.prompt);
    const tokens = {
      iouToken: tf.tensor2d(perSample(trunk.iouToken, trunk.n, prompt), [n, 256]),
      maskTokens: tf.tensor3d(perSample(trunk.maskTokens, trunk.n, prompt), [n, MASK_TOKENS, 256]),
    };
    const textT = tf.tensor2d(text, [taskIds.length, textDim]);
    const pickTask = oneHotRows(sampleTask, taskIds.length); // [n, tasks]
    let parts: LossParts | undefined;
    const vars = [...net.params.values()];
    const { grads } = tf.variableGrads(() => {
      const generated = net.forward(textT, { training: true, dropoutSeed: mixSeed(options.seed, ctx.step) });
      const layers = new Map<string, { a: tf.Tensor3D; b: tf.Tensor3D }>();
      const all: { a: tf.Tensor; b: tf.Tensor }[] = [];
      for (const [path, { a, b }] of generated) {
        layers.set(path, { a: pickRows(pickTask, a), b: pickRows(pickTask, b) });
        all.push({ a, b });
      }
      const lora: BatchLora = { scaling: net.config.alpha / net.config.rank, layers };
      const { hyperIn, iou } = heads.predict(tokens, lora);
      parts = fusedSamLoss(
        hyperIn,
        iou,
        {
          upscaled: trunk.upscaled,
          prompt,
          masks: samples.map((s) => s.target),
          multimask: samples.map((s) => s.multimask),
          negative: samples.map((s) => s.negative),
        },
        all,
        options.loss,
      );
      return parts.total;
    }, vars);
    const named: Record<string, tf.Tensor> = {};
    for (const [name, v] of net.params) named[name] = grads[v.name];
    const headLr = options.headLrScale ?? 1;
    const gradNorm = optimizer.apply(named, lr, (name) => (name.startsWith('head_') ? headLr : 1));
    const values = (parts as NonNullable<typeof parts>).values;
    return {
      step: ctx.step,
      epoch: 0,
      batch: 0,
      samples: n,
      lr,
      ...values,
      loss: values.total,
      gradNorm,
      ms: 0,
      waitMs: 0,
    };
  } finally {
    tf.engine().endScope();
  }
}

/** Each sample's rows of a per-prompt array [prompts, ...] (copies where samples share a prompt). */
function perSample(data: Float32Array, prompts: number, prompt: Int32Array): Float32Array {
  if (prompt.length === prompts && prompt.every((p, i) => p === i)) return data;
  const size = data.length / prompts;
  const out = new Float32Array(prompt.length * size);
  prompt.forEach((p, i) => {
    out.set(data.subarray(p * size, (p + 1) * size), i * size);
  });
  return out;
}

/** Per-sample copies of per-task tensors [tasks, ...] → [n, ...] via a one-hot matmul (differentiable on wasm). */
function pickRows(pick: tf.Tensor2D, x: tf.Tensor3D): tf.Tensor3D {
  const [tasks, r, c] = x.shape;
  return tf.reshape(tf.matMul(pick, tf.reshape(x, [tasks, r * c])), [pick.shape[0], r, c]);
}
