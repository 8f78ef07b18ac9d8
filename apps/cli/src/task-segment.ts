import { resolve } from 'node:path';
import { compressRle, decodeMask, loadImageRgb } from '@tasam/coco-data';
import {
  type BoxPrompt,
  ImageFrame,
  type PointPrompt,
  type Prompt,
  validatePrompt,
  writeLabelPng,
  writeMaskPng,
} from '@tasam/sam-runtime';
import { type CliIO, writeLine } from './cli-context';
import type { SegmentedInstance } from './commands/segment';
import type { LoraCacheStatus } from './task-lora-cache';
import { writeTaskOverlayPng } from './task-overlay';
import { loadTaskSegmenter } from './task-segmenter-setup';

export interface TaskSegmentOptions {
  task: string;
  checkpoint?: string;
  encoder?: 'use-lite' | 'minilm';
  /** Automatic mode: n x n grid points (default 16 with the checkpoint's task scorer, else 8). */
  grid?: number;
  /** Automatic mode with a task scorer: grid points prompted (TaskAutomaticOptions.guidedPoints; default 16). */
  prompts?: number;
  /** Automatic mode: keep instances whose task score is above this (default: the segmenter's). */
  scoreThreshold?: number;
  /** Automatic mode with a task scorer: see TaskAutomaticOptions.relativeThreshold. */
  relativeThreshold?: number;
  point: PointPrompt[];
  box?: BoxPrompt;
  out?: string;
  overlay?: string;
  threads?: number;
  provider?: string;
  cache: boolean;
}

/**
 * One mask of `segment --task`: plain `segment`'s shape; `score` is the task score (P(task's object) x
 * predicted IoU with the checkpoint's scorer), `taskProbability` the scorer's part of it.
 */
export type TaskInstanceReport = SegmentedInstance & { taskProbability?: number };

/** The --json document of `tasam segment --task`. */
export interface TaskSegmentReport {
  image: { path: string; width: number; height: number };
  mode: 'task-automatic' | 'task-prompt';
  task: string;
  checkpoint: { path: string; id: string };
  masks: TaskInstanceReport[];
  embeddingCache: string;
  /** 'unused' when the task scorer ranked plain SAM's masks (automatic mode): no LoRA was needed. */
  loraCache: LoraCacheStatus | 'unused';
  timings: Record<string, number>;
}

const since = (start: number) => Math.round(performance.now() - start);

/**
 * `tasam segment IMAGE --task TEXT`: with no prompt, task-aware automatic mode (grid, task-scored masks, NMS,
 * instances above the threshold); with --point/--box, the prompt's mask from the task-adapted heads. The task's
 * LoRA is resolved (cache or hypernetwork) while SAM encodes the image.
 */
export async function runTaskSegment(
  io: CliIO,
  imagePath: string,
  options: TaskSegmentOptions,
): Promise<TaskSegmentReport> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const image = await loadImageRgb(imagePath);
  timings.imageMs = since(mark);
  const size = { width: image.width, height: image.height };
  const prompted = options.point.length > 0 || options.box !== undefined;
  const prompt: Prompt = { points: options.point.length ? options.point : undefined, box: options.box };
  if (prompted) validatePrompt(prompt, new ImageFrame(size));

  mark = performance.now();
  const loaded = await loadTaskSegmenter(io, options);
  timings.loadMs = since(mark);
  try {
    const { segmenter, loras } = loaded;
    mark = performance.now();
    // Automatic mode with the checkpoint's task scorer needs the task's sentence embedding, not its LoRA.
    const needsLora = prompted || loras.scorer === undefined;
    const [{ embedding, cache }] = await Promise.all([
      segmenter.runtime.embedImage(image),
      needsLora ? segmenter.lora(options.task) : loras.taskEmbedding(options.task),
    ]);
    timings.embedAndLoraMs = since(mark);

    mark = performance.now();
    let instances: (TaskInstanceReport & { mask: Uint8Array })[];
    if (prompted) {
      const masks = await segmenter.prompted(embedding, size, prompt, options.task);
      instances = masks.map((m) => ({
        rle: compressRle(m.rle),
        score: m.score,
        bbox: m.bbox,
        area: m.area,
        stabilityScore: m.stabilityScore,
        mask: m.mask,
      }));
    } else {
      const result = await segmenter.automatic(embedding, size, [options.task], {
        // With a task scorer, a finer grid costs little: only the points it picks are prompted.
        pointsPerSide: options.grid ?? (loras.scorer ? 16 : 8),
        guidedPoints: options.prompts ?? (loras.scorer ? 16 : 0),
        scoreThreshold: options.scoreThreshold,
        relativeThreshold: options.relativeThreshold,
      });
      instances = result.tasks[0].instances.map((i) => ({
        rle: compressRle(i.rle),
        score: i.score,
        ...(i.taskProbability !== undefined ? { taskProbability: i.taskProbability } : {}),
        bbox: i.bbox,
        area: i.area,
        stabilityScore: i.stabilityScore,
        point: i.point,
        mask: decodeMask(i.rle),
      }));
    }
    timings.decodeMs = since(mark);

    mark = performance.now();
    if (options.overlay)
      await writeTaskOverlayPng(options.overlay, image, options.task, instances, prompted ? prompt : {});
    if (options.out) {
      if (prompted && instances.length > 0) await writeMaskPng(options.out, instances[0].mask, size);
      else if (!prompted)
        await writeLabelPng(
          options.out,
          instances.map((i) => i.mask),
          size,
        );
    }
    timings.writeMs = since(mark);
    timings.totalMs = since(started);
    const status = needsLora
      ? (loras.statuses.find((s) => s.task === options.task)?.status ?? 'generated')
      : 'unused';
    return {
      image: { path: resolve(imagePath), ...size },
      mode: prompted ? 'task-prompt' : 'task-automatic',
      task: options.task,
      checkpoint: { path: loaded.checkpoint, id: loras.checkpointId },
      masks: instances.map(({ mask: _mask, ...rest }) => rest),
      embeddingCache: cache,
      loraCache: status,
      timings,
    };
  } finally {
    await loaded.dispose();
  }
}

function loraNote(status: TaskSegmentReport['loraCache']): string {
  if (status === 'unused') return "masks ranked by the checkpoint's task scorer";
  return `task LoRA ${status === 'hit' ? 'cached' : 'generated'}`;
}

/** The short human summary (instances, scores, time), or the JSON document under --json. */
export function printTaskReport(
  io: CliIO,
  report: TaskSegmentReport,
  options: { json?: boolean; out?: string; overlay?: string },
): void {
  if (options.json) {
    writeLine(io.stdout, JSON.stringify(report));
    return;
  }
  const { image, masks, timings } = report;
  const count = `${masks.length} instance${masks.length === 1 ? '' : 's'}`;
  writeLine(io.stdout, `${image.path} (${image.width}x${image.height}): "${report.task}": ${count}`);
  masks.forEach((mask, i) => {
    const [x, y, w, h] = mask.bbox.map((v) => Math.round(v));
    writeLine(
      io.stdout,
      `  #${i + 1}  score ${mask.score.toFixed(3)}${mask.taskProbability !== undefined ? `  P(task) ${mask.taskProbability.toFixed(3)}` : ''}  area ${mask.area}  box ${x},${y},${w},${h}`,
    );
  });
  if (options.out) writeLine(io.stdout, `mask: ${options.out}`);
  if (options.overlay) writeLine(io.stdout, `overlay: ${options.overlay}`);
  writeLine(
    io.stdout,
    `embedding ${report.embeddingCache === 'hit' ? 'cached' : 'computed'}, ${loraNote(report.loraCache)}; total ${(timings.totalMs / 1000).toFixed(1)} s`,
  );
}
