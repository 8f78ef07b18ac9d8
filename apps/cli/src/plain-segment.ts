import { resolve } from 'node:path';
import { compressRle, decodeMask, loadImageRgb, type RgbImage } from '@tasam/coco-data';
import {
  type EncoderPrecision,
  type HeadLora,
  ImageFrame,
  type Prompt,
  SamRuntime,
  validatePrompt,
  writeLabelPng,
  writeMaskPng,
  writeOverlayPng,
} from '@tasam/sam-runtime';
import { cacheDir } from './cache-dir';
import { type CliIO, writeLine } from './cli-context';
import { withInterrupt } from './interrupt';
import { startProgress, timedStep } from './progress';
import type { SegmentOptions } from './segment-options';
import type { SegmentedInstance } from './segmented-instance';

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

export function printSegmentReport(io: CliIO, report: SegmentReport, options: SegmentOptions): void {
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
