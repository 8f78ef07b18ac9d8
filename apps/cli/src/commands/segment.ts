import { resolve } from 'node:path';
import { compressRle, decodeMask, loadImageRgb, type RgbImage } from '@tasam/coco-data';
import type { DetectorModelName } from '@tasam/detector';
import {
  type BoxPrompt,
  type EncoderPrecision,
  type HeadLora,
  ImageFrame,
  type PointPrompt,
  type Prompt,
  SamRuntime,
  validatePrompt,
  writeLabelPng,
  writeMaskPng,
  writeOverlayPng,
} from '@tasam/sam-runtime';
import { Command, InvalidArgumentError, Option } from 'commander';
import { cacheDir } from '../cache-dir';
import { type CliIO, writeLine } from '../cli-context';
import { DETECTOR_MODELS_HELP, parseDetectorModels } from '../detector-models';
import { encoderPrecisionOption } from '../encoder-precision-option';
import { withInterrupt } from '../interrupt';
import { parseFiniteNumber, parseNonNegativeInt, parsePositiveInt } from '../number-options';
import { startProgress, timedStep } from '../progress';
import type { SegmentedInstance } from '../segmented-instance';
import { printTaskReport, runTaskSegment } from '../task-segment';

export interface SegmentOptions {
  point: PointPrompt[];
  box?: BoxPrompt;
  out?: string;
  overlay?: string;
  json?: boolean;
  everything?: boolean;
  multimask?: boolean;
  grid: number;
  task: string[];
  detector: boolean;
  detectorModelDir?: string;
  detectorModels?: DetectorModelName[];
  detectorTiles?: boolean;
  checkpoint?: string;
  encoder: 'use-lite' | 'minilm';
  scoreThreshold?: number;
  relativeThreshold?: number;
  prompts?: number;
  minRegionArea: number;
  threads?: number;
  provider: string;
  cache: boolean;
  encoderPrecision?: EncoderPrecision;
}

/** The --json document. */
export interface SegmentReport {
  image: { path: string; width: number; height: number };
  mode: 'prompt' | 'everything';
  heads: string;
  masks: SegmentedInstance[];
  embeddingCache: string;
  /** Which SAM image encoder ran: fp32 or int8. */
  encoderPrecision: EncoderPrecision;
  timings: Record<string, number>;
}

/**
 * Which decoder heads score the masks. Plain SAM for now; `--task` will resolve a task's LoRA here, so the
 * rest of the command (prompts, trunk, outputs) stays the same.
 */
interface HeadsChoice {
  label: string;
  lora?: HeadLora;
}

function resolveHeads(_options: SegmentOptions): HeadsChoice {
  return { label: 'sam' };
}

/** `x,y` or `x,y,label` (label 1 = foreground, the default; 0 = background); collects repeated flags. */
export function parsePoint(text: string, previous: PointPrompt[] = []): PointPrompt[] {
  const parts = text.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (
    (parts.length !== 2 && parts.length !== 3) ||
    parts.some((p) => p === '') ||
    !numbers.every(Number.isFinite)
  ) {
    throw new InvalidArgumentError(`expected x,y or x,y,label with numbers; got "${text}".`);
  }
  const label = parts.length === 3 ? numbers[2] : 1;
  if (label !== 0 && label !== 1) {
    throw new InvalidArgumentError(`label must be 1 (foreground) or 0 (background); got "${text}".`);
  }
  return [...previous, { x: numbers[0], y: numbers[1], label }];
}

/** `x0,y0,x1,y1` in image pixels. */
export function parseBox(text: string): BoxPrompt {
  const parts = text.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || !numbers.every(Number.isFinite)) {
    throw new InvalidArgumentError(`expected x0,y0,x1,y1 (four numbers); got "${text}".`);
  }
  return numbers as BoxPrompt;
}

const since = (start: number) => Math.round(performance.now() - start);

/** Loads the image, gets its embedding (cached), runs the prompt or the automatic mode, writes the outputs. */
export async function runSegment(
  io: CliIO,
  imagePath: string,
  options: SegmentOptions,
): Promise<SegmentReport> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const heads = resolveHeads(options);

  let mark = performance.now();
  const image = await loadImageRgb(imagePath);
  timings.imageMs = since(mark);
  const size = { width: image.width, height: image.height };
  const prompt: Prompt = { points: options.point.length ? options.point : undefined, box: options.box };
  // Check the prompt against the image before any model work, so a bad click fails fast.
  if (!options.everything) validatePrompt(prompt, new ImageFrame(size));

  mark = performance.now();
  const runtime = await SamRuntime.create({
    modelCacheDir: cacheDir('models', io.env),
    // onnxruntime's optimised graphs, saved once: later runs start their sessions about 3x faster.
    optimizedModelDir: cacheDir('models', io.env),
    embeddingCacheDir: options.cache ? cacheDir('embeddings', io.env) : undefined,
    intraOpThreads: options.threads,
    encoderPrecision: options.encoderPrecision,
    // No spin-waiting threads: a one-shot command gains nothing from them, and on a shared machine they
    // slowed the trunk down 1.9x (see the sam-runtime benchmark).
    allowSpinning: false,
    executionProvider: options.provider,
    log: (line) => writeLine(io.stderr, line),
  });
  timings.loadMs = since(mark);
  try {
    mark = performance.now();
    const { embedding, cache } = await timedStep(
      io,
      'encoding image',
      () => runtime.embedImage(image),
      options,
    );
    timings.embedMs = since(mark);

    mark = performance.now();
    await runtime.loadSessions(['trunk']);
    timings.trunkSessionMs = since(mark);

    mark = performance.now();
    const instances = options.everything
      ? await segmentEverything(io, runtime, embedding, size, heads, options)
      : await segmentPrompt(runtime, embedding, size, prompt, heads, options);
    timings.decodeMs = since(mark);

    mark = performance.now();
    await writeOutputs(image, instances, prompt, options);
    timings.writeMs = since(mark);
    timings.totalMs = since(started);
    return {
      image: { path: resolve(imagePath), ...size },
      mode: options.everything ? 'everything' : 'prompt',
      heads: heads.label,
      masks: instances.map(({ mask: _mask, ...rest }) => rest),
      embeddingCache: cache,
      encoderPrecision: runtime.encoderPrecision,
      timings,
    };
  } finally {
    await runtime.dispose();
  }
}

type Instance = SegmentedInstance & { mask: Uint8Array };

async function segmentPrompt(
  runtime: SamRuntime,
  embedding: Parameters<SamRuntime['segment']>[0],
  size: { width: number; height: number },
  prompt: Prompt,
  heads: HeadsChoice,
  options: SegmentOptions,
): Promise<Instance[]> {
  const masks = await runtime.segment(embedding, size, prompt, {
    masks: options.multimask ? 'all' : 'auto',
    lora: heads.lora,
  });
  return masks.map((m) => ({
    rle: compressRle(m.rle),
    score: m.score,
    bbox: m.bbox,
    area: m.area,
    stabilityScore: m.stabilityScore,
    mask: m.mask,
  }));
}

async function segmentEverything(
  io: CliIO,
  runtime: SamRuntime,
  embedding: Parameters<SamRuntime['segment']>[0],
  size: { width: number; height: number },
  heads: HeadsChoice,
  options: SegmentOptions,
): Promise<Instance[]> {
  return withInterrupt(io, async (interrupt) => {
    const progress = startProgress(io, {
      label: 'segmenting everything',
      total: options.grid * options.grid,
      unit: 'point',
      json: options.json,
      interrupt,
    });
    try {
      let reported = 0;
      const found = await runtime.everything(embedding, size, {
        pointsPerSide: options.grid,
        minMaskRegionArea: options.minRegionArea,
        lora: heads.lora,
        onProgress: (done, total) => {
          progress.advance(done - reported);
          reported = done;
          if (done < total) interrupt.throwIfRequested(`after ${done} of ${total} grid points`);
        },
      });
      return found.map((instance) => ({
        rle: compressRle(instance.rle),
        score: instance.predictedIou,
        bbox: instance.bbox,
        area: instance.area,
        stabilityScore: instance.stabilityScore,
        point: instance.point,
        mask: decodeMask(instance.rle),
      }));
    } finally {
      progress.stop();
    }
  });
}

async function writeOutputs(
  image: RgbImage,
  instances: readonly Instance[],
  prompt: Prompt,
  options: SegmentOptions,
): Promise<void> {
  const size = { width: image.width, height: image.height };
  if (options.out) {
    if (options.everything)
      await writeLabelPng(
        options.out,
        instances.map((i) => i.mask),
        size,
      );
    else if (instances.length > 0) await writeMaskPng(options.out, instances[0].mask, size);
  }
  if (options.overlay) {
    // Largest first, so smaller objects stay visible on top.
    const masks = options.everything
      ? [...instances].sort((a, b) => b.area - a.area).map((i) => i.mask)
      : instances.slice(0, 1).map((i) => i.mask);
    await writeOverlayPng(options.overlay, image, masks, { points: prompt.points, box: prompt.box });
  }
}

function printReport(io: CliIO, report: SegmentReport, options: SegmentOptions): void {
  if (options.json) {
    writeLine(io.stdout, JSON.stringify(report));
    return;
  }
  const { image, masks, timings } = report;
  writeLine(
    io.stdout,
    `${image.path} (${image.width}x${image.height}): ${masks.length} mask${masks.length === 1 ? '' : 's'}`,
  );
  masks.forEach((mask, i) => {
    const [x, y, w, h] = mask.bbox.map((v) => Math.round(v));
    writeLine(
      io.stdout,
      `  ${String(i + 1).padStart(3)}  score ${mask.score.toFixed(3)}  stability ${mask.stabilityScore.toFixed(3)}  ` +
        `area ${mask.area}  box ${x},${y},${w},${h}`,
    );
  });
  if (options.out) writeLine(io.stdout, `mask: ${options.out}`);
  if (options.overlay) writeLine(io.stdout, `overlay: ${options.overlay}`);
  writeLine(
    io.stdout,
    `embedding ${report.embeddingCache === 'hit' ? 'from cache' : 'computed'}; total ${timings.totalMs} ms`,
  );
}

/** `tasam segment IMAGE [--point x,y[,label]]... [--box x0,y0,x1,y1] [--everything] ...` */
export function segmentCommand(io: CliIO): Command {
  return new Command('segment')
    .description('segment an image with SAM from points and/or a box, or find everything (--everything)')
    .argument('<image>', 'image file (JPEG, PNG, WebP, ...)')
    .option(
      '--point <x,y[,label]>',
      'a click in image pixels; label 1 = object (default), 0 = background; repeatable',
      parsePoint,
      [],
    )
    .option('--box <x0,y0,x1,y1>', 'a box around the object, in image pixels', parseBox)
    .option('--everything', 'automatic mode: segment every object from a grid of points')
    .option(
      '--task <text>',
      'task-aware mode: find every instance the task names (no clicks), or refine --point/--box with the task; repeatable (several tasks, one embedding; --overlay draws a panel per task)',
      (text: string, previous: string[]) => [...previous, text],
      [],
    )
    .option(
      '--no-detector',
      "with --task: skip grounding and the COCO detector; the task scorer ranks SAM's grid masks (the pre-detector path)",
    )
    .option(
      '--detector-model-dir <dir>',
      "with --task: directory with the detector models' files (default: the bundled, checksummed models)",
    )
    .option('--detector-models <names>', `with --task: ${DETECTOR_MODELS_HELP}`, parseDetectorModels)
    .option(
      '--detector-tiles',
      'with --task: also detect on the four corner tiles of the image (small objects, e.g. fruit on a stall; about 4x the detector time)',
    )
    .option('--checkpoint <file>', 'with --task: hypernetwork checkpoint (default: the shipped one)')
    .addOption(
      new Option('--encoder <name>', 'with --task: text encoder of the checkpoint')
        .choices(['use-lite', 'minilm'])
        .default('use-lite'),
    )
    .option(
      '--score-threshold <x>',
      "with --task: keep instances whose task score is above x (default 0.15: detector score x predicted IoU, or P(the task's object) x predicted IoU on the scorer path)",
      parseFiniteNumber,
    )
    .option(
      '--prompts <k>',
      "with --task: prompt only the k grid points the task scorer rates likeliest to be on the task's objects (default 16 of a 16x16 grid; 0 = every grid point)",
      parseNonNegativeInt,
    )
    .option(
      '--relative-threshold <x>',
      "with --task: keep instances whose P(task) is at least x times the task scorer's best-guess category's (default 0.8; 0 keeps all)",
      parseFiniteNumber,
    )
    .option(
      '--grid <n>',
      'with --everything or --task: n x n grid points (default 16; with --task 16, or 8 for a checkpoint without a task scorer)',
      parsePositiveInt,
      16,
    )
    .option(
      '--min-region-area <px>',
      'with --everything: remove islands and holes smaller than this',
      parseNonNegativeInt,
      0,
    )
    .option('--multimask', "return SAM's three candidate masks (best first) instead of one")
    .option('--out <mask.png>', 'write the best mask as a PNG (with --everything: an instance-label PNG)')
    .option('--overlay <overlay.png>', 'write the image with the mask(s) drawn over it')
    .option('--json', 'print {"masks":[{"rle","score","bbox",...}],"timings":{...}} on stdout')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', parsePositiveInt)
    .option('--provider <name>', 'onnxruntime execution provider', 'cpu')
    .addOption(encoderPrecisionOption())
    .option('--no-cache', 'do not read or write the embedding cache')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam segment examples/cats.jpg --point 240,150 --out mask.png --overlay overlay.png',
        '  $ tasam segment examples/elephants.jpg --box 60,90,330,400 --point 200,250 --json',
        '  $ tasam segment examples/suitcases.jpg --everything --overlay everything.png',
        '  $ tasam segment examples/cats.jpg --task "segment all cats" --overlay out.png',
        '  $ tasam segment examples/street.jpg --task "segment people" --task "segment vehicles" --overlay grid.png',
        '  $ tasam segment examples/suitcases.jpg --task "highlight every suitcase" --point 220,300 --json',
      ].join('\n'),
    )
    .action(async (imagePath: string, options: SegmentOptions, command: Command) => {
      const usage = (message: string): never =>
        command.error(`error: ${message}`, { exitCode: 2, code: 'tasam.usage' });
      const prompted = options.point.length > 0 || options.box !== undefined;
      if (options.task.length > 0) {
        if (options.task.some((t) => t.trim() === '')) usage('--task needs a non-empty text');
        if (prompted && options.task.length > 1) usage('--point/--box take one --task');
        if (options.everything) usage('--task already finds every instance of the task; drop --everything');
        if (options.multimask) usage('--multimask applies to plain SAM prompts, not --task');
        const report = await runTaskSegment(io, imagePath, {
          ...options,
          tasks: options.task,
          // A task's grid has its own default (each prompted point costs a trunk run, ~150 ms on two cores).
          grid: command.getOptionValueSource('grid') === 'cli' ? options.grid : undefined,
        });
        printTaskReport(io, report, options);
        return;
      }
      if (options.everything && prompted) usage('--everything takes no --point or --box');
      if (options.everything && options.multimask) usage('--multimask applies to prompts, not --everything');
      if (!options.everything && !prompted)
        usage('give at least one --point or a --box (or --everything); or --task TEXT for task-aware mode');
      const report = await runSegment(io, imagePath, options);
      printReport(io, report, options);
    });
}
