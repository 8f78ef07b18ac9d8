import { resolve } from 'node:path';
import { type Bbox, compressRle, decodeMask, loadImageRgb, type RgbImage, type Rle } from '@tasam/coco-data';
import type { DetectionCacheStatus, DetectorModelName } from '@tasam/detector';
import {
  type BoxPrompt,
  type EncoderPrecision,
  ImageFrame,
  type PointPrompt,
  type Prompt,
  validatePrompt,
  writeLabelPng,
  writeMaskPng,
} from '@tasam/sam-runtime';
import { GroundedSegmenter, type Grounding } from '@tasam/task-segmentation';
import { cacheDir } from './cache-dir';
import { type CliIO, writeLine } from './cli-context';
import type { SegmentedInstance } from './segmented-instance';
import { TaskDetector } from './task-detector';
import { groundTasks } from './task-grounding';
import { writeTaskOverlayPng } from './task-overlay';
import { loadTaskSegmenter } from './task-segmenter-setup';

export interface TaskSegmentOptions {
  /** One or more tasks; with --point/--box exactly one. */
  tasks: string[];
  checkpoint?: string;
  encoder?: 'use-lite' | 'minilm';
  /** Ground tasks and take their instances from the COCO detector's boxes (default true). */
  detector?: boolean;
  /** The detector's model directory (default: @tasam/detector's bundled model). */
  detectorModelDir?: string;
  /** The detector's models (default: @tasam/detector's default ensemble). */
  detectorModels?: DetectorModelName[];
  /** Also detect on the image's corner tiles, for small objects (default false; @tasam/detector `tiles`). */
  detectorTiles?: boolean;
  /** With a colour word: the degree of grey-world adaptation to the light's colour (0-1; default 0). */
  colourAdaptation?: number;
  /** With a colour word: brighten the image so its 95th-percentile luminance is white first (default true). */
  colourExposure?: boolean;
  /** The detector, perhaps already loading (see `segment`); else made here when the tasks need it. */
  taskDetector?: TaskDetector;
  /** The image, if the caller has decoded it already, and the milliseconds that took. */
  image?: { rgb: RgbImage; loadMs: number };
  /** Scorer path: n x n grid points (default 16 with the checkpoint's task scorer, else 8). */
  grid?: number;
  /** Scorer path with a task scorer: grid points prompted (TaskAutomaticOptions.guidedPoints; default 16). */
  prompts?: number;
  /** Keep instances whose score is above this (default: the path's own). */
  scoreThreshold?: number;
  /** Scorer path with a task scorer: see TaskAutomaticOptions.relativeThreshold. */
  relativeThreshold?: number;
  point: PointPrompt[];
  box?: BoxPrompt;
  out?: string;
  overlay?: string;
  threads?: number;
  provider?: string;
  cache: boolean;
  encoderPrecision?: EncoderPrecision;
}

/**
 * One mask of `segment --task`: plain `segment`'s shape; `score` is the task score: detector score x the
 * task-adapted predicted IoU on the detector path, P(task's object) x predicted IoU on the scorer path.
 */
export type TaskInstanceReport = SegmentedInstance & {
  taskProbability?: number;
  /** Detector path: the COCO category the detector saw, its score and the box that prompted SAM. */
  category?: string;
  detectorScore?: number;
  box?: [number, number, number, number];
};

/**
 * Which path found a task's instances: 'detector' (grounded: the detector's boxes through the task-adapted
 * heads), 'scorer' (no COCO category named, or --no-detector: the task scorer ranks SAM's grid masks),
 * 'prompt' (--point/--box through the task-adapted heads).
 */
export type TaskPath = 'detector' | 'scorer' | 'prompt';

export interface TaskResultReport {
  task: string;
  path: TaskPath;
  /** How the task was grounded (absent with --no-detector or prompts). */
  grounding?: Grounding;
  masks: TaskInstanceReport[];
}

/** The --json document of `tasam segment --task`. */
export interface TaskSegmentReport {
  image: { path: string; width: number; height: number };
  mode: 'task-automatic' | 'task-prompt';
  tasks: TaskResultReport[];
  checkpoint: { path: string; id: string };
  embeddingCache: string;
  /** What the detection cache did when the detector path ran: hit, miss, invalid (detected again), or off. */
  detectionCache?: DetectionCacheStatus | 'off';
  timings: Record<string, number>;
}

const since = (start: number) => Math.round(performance.now() - start);

type Found = TaskInstanceReport & { mask: Uint8Array };

/** An instance of any path as reported (COCO's compressed RLE) with its decoded mask for the pictures. */
function found(
  instance: { rle: Rle; score: number; bbox: Bbox; area: number; stabilityScore: number; mask?: Uint8Array },
  extra: Partial<TaskInstanceReport> = {},
): Found {
  const { rle, score, bbox, area, stabilityScore } = instance;
  return {
    rle: compressRle(rle),
    score,
    ...extra,
    bbox,
    area,
    stabilityScore,
    mask: instance.mask ?? decodeMask(rle),
  };
}

/**
 * `tasam segment IMAGE --task TEXT [--task TEXT...]`: with no prompt, each task is grounded (COCO categories
 * and colour); grounded tasks take their instances from the detector's boxes through their LoRA-adapted heads,
 * the others from the task scorer's automatic mode. The image is embedded once for all tasks. With
 * --point/--box, the prompt's mask from the task-adapted heads.
 */
export async function runTaskSegment(
  io: CliIO,
  imagePath: string,
  options: TaskSegmentOptions,
): Promise<TaskSegmentReport> {
  const prompted = options.point.length > 0 || options.box !== undefined;
  const useDetector = !prompted && options.detector !== false;
  // Made (and perhaps started) by the caller as early as it could be (see `segment`), or here; disposed here
  // whatever happens.
  const detector =
    options.taskDetector ??
    (useDetector
      ? new TaskDetector(options, options.cache ? cacheDir('detections', io.env) : undefined)
      : undefined);
  try {
    return await segmentTasks(io, imagePath, options, useDetector ? detector : undefined);
  } finally {
    await detector?.dispose();
  }
}

async function segmentTasks(
  io: CliIO,
  imagePath: string,
  options: TaskSegmentOptions,
  detector: TaskDetector | undefined,
): Promise<TaskSegmentReport> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const image = options.image?.rgb ?? (await loadImageRgb(imagePath));
  timings.imageMs = options.image?.loadMs ?? since(mark);
  detector?.startUnlessCached(image);
  const size = { width: image.width, height: image.height };
  const prompted = options.point.length > 0 || options.box !== undefined;
  const prompt: Prompt = { points: options.point.length ? options.point : undefined, box: options.box };
  if (prompted) validatePrompt(prompt, new ImageFrame(size));

  mark = performance.now();
  const useDetector = detector !== undefined;
  const loaded = await loadTaskSegmenter(io, options);
  timings.loadMs = since(mark);
  try {
    const { segmenter, loras } = loaded;
    mark = performance.now();
    const grounding = useDetector
      ? groundTasks(options.tasks, () => loras.textEncoder(), {
          cacheDir: options.cache ? cacheDir('text', io.env) : undefined,
          encoderName: options.encoder,
        })
      : undefined;
    // The trunk's session is otherwise created at the first box, after detection: create it while the
    // detector's threads work (about 0.1 s off a warm run's critical path).
    const trunkReady = useDetector ? segmenter.runtime.loadSessions(['trunk']) : undefined;
    trunkReady?.catch(() => undefined);
    const [{ embedding, cache }, grounded] = await Promise.all([
      segmenter.runtime.embedImage(image),
      grounding,
    ]);
    const groundings = grounded?.groundings;
    timings.embedAndGroundMs = since(mark);

    mark = performance.now();
    const results: { task: string; path: TaskPath; grounding?: Grounding; found: Found[] }[] = [];
    let detectionCache: TaskSegmentReport['detectionCache'];
    if (prompted) {
      const masks = await segmenter.prompted(embedding, size, prompt, options.tasks[0]);
      results.push({
        task: options.tasks[0],
        path: 'prompt',
        found: masks.map((m) => found(m)),
      });
    } else {
      const onDetector = groundings?.filter((g) => g.grounded) ?? [];
      const onScorer = options.tasks.filter((_, t) => !groundings?.[t].grounded);
      const byTask = new Map<string, Found[]>();
      if (onDetector.length > 0) {
        const grounder = new GroundedSegmenter(
          segmenter.runtime,
          (detector as TaskDetector).detecting((message) => writeLine(io.stderr, message)),
          loras,
        );
        const result = await grounder.segment(image, embedding, onDetector, {
          scoreThreshold: options.scoreThreshold,
          detectorTiles: options.detectorTiles,
          colourAdaptation: options.colourAdaptation,
          colourExposure: options.colourExposure,
        });
        timings.detectMs = Math.round(result.timings.detectMs);
        detectionCache = (detector as TaskDetector).cacheStatus();
        for (const t of result.tasks) {
          byTask.set(
            t.task,
            t.instances.map((i) =>
              found(i, { category: i.category, detectorScore: i.detectorScore, box: i.box }),
            ),
          );
        }
      }
      if (onScorer.length > 0) {
        const result = await segmenter.automatic(embedding, size, onScorer, {
          // With a task scorer, a finer grid costs little: only the points it picks are prompted.
          pointsPerSide: options.grid ?? (loras.scorer ? 16 : 8),
          guidedPoints: options.prompts ?? (loras.scorer ? 16 : 0),
          scoreThreshold: options.scoreThreshold,
          relativeThreshold: options.relativeThreshold,
        });
        for (const t of result.tasks) {
          byTask.set(
            t.task,
            t.instances.map((i) =>
              found(i, {
                ...(i.taskProbability !== undefined ? { taskProbability: i.taskProbability } : {}),
                point: i.point,
              }),
            ),
          );
        }
      }
      options.tasks.forEach((task, t) => {
        const g = groundings?.[t];
        results.push({
          task,
          path: g?.grounded ? 'detector' : 'scorer',
          ...(g ? { grounding: g } : {}),
          found: byTask.get(task) ?? [],
        });
      });
    }
    timings.decodeMs = since(mark);

    mark = performance.now();
    if (options.overlay)
      await writeTaskOverlayPng(
        options.overlay,
        image,
        results.map((r) => ({ task: r.task, instances: r.found, note: pathNote(r) })),
        prompted ? prompt : {},
      );
    if (options.out) {
      const first = results[0].found;
      if (prompted && first.length > 0) await writeMaskPng(options.out, first[0].mask, size);
      else if (!prompted)
        await writeLabelPng(
          options.out,
          results.flatMap((r) => r.found.map((i) => i.mask)),
          size,
        );
    }
    timings.writeMs = since(mark);
    timings.totalMs = since(started);
    return {
      image: { path: resolve(imagePath), ...size },
      mode: prompted ? 'task-prompt' : 'task-automatic',
      tasks: results.map(({ found, ...rest }) => ({
        ...rest,
        masks: found.map(({ mask: _mask, ...m }) => m),
      })),
      checkpoint: { path: loaded.checkpoint, id: loras.checkpointId },
      embeddingCache: cache,
      ...(detectionCache ? { detectionCache } : {}),
      timings,
    };
  } finally {
    await loaded.dispose();
  }
}

/** A short note on how a task was read: its categories and colour, or the path that ran instead. */
function pathNote(result: { path: TaskPath; grounding?: Grounding }): string | undefined {
  const g = result.grounding;
  if (result.path === 'prompt') return undefined;
  if (!g) return '(task scorer)';
  if (!g.grounded) return '(no COCO category: task scorer)';
  const names = g.categories.map((c) => c.name);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} +${names.length - 3}` : names.join(', ');
  return `→ ${g.colour ? `${g.colour} ` : ''}${shown}`;
}

/** Which of the image's results came from the caches. */
function cacheNote(report: TaskSegmentReport): string {
  const embedding = report.embeddingCache === 'hit';
  const boxes = report.detectionCache === 'hit';
  if (embedding && boxes) return 'embedding and detector boxes cached';
  if (embedding) return 'embedding cached';
  return boxes ? 'embedding computed, detector boxes cached' : 'embedding computed';
}

/** The short human summary (per task: path, instances, scores; then time), or the JSON document under --json. */
export function printTaskReport(
  io: CliIO,
  report: TaskSegmentReport,
  options: { json?: boolean; out?: string; overlay?: string },
): void {
  if (options.json) {
    writeLine(io.stdout, JSON.stringify(report));
    return;
  }
  const { image, timings } = report;
  writeLine(io.stdout, `${image.path} (${image.width}x${image.height})`);
  for (const result of report.tasks) {
    const count = `${result.masks.length} instance${result.masks.length === 1 ? '' : 's'}`;
    const note = pathNote(result);
    writeLine(io.stdout, `"${result.task}"${note ? ` ${note}` : ''}: ${count}`);
    result.masks.forEach((mask, i) => {
      const [x, y, w, h] = mask.bbox.map((v) => Math.round(v));
      const what = mask.category
        ? `  ${mask.category} (detector ${(mask.detectorScore as number).toFixed(2)})`
        : mask.taskProbability !== undefined
          ? `  P(task) ${mask.taskProbability.toFixed(3)}`
          : '';
      writeLine(
        io.stdout,
        `  #${i + 1}  score ${mask.score.toFixed(3)}${what}  area ${mask.area}  box ${x},${y},${w},${h}`,
      );
    });
  }
  if (options.out) writeLine(io.stdout, `mask: ${options.out}`);
  if (options.overlay) writeLine(io.stdout, `overlay: ${options.overlay}`);
  writeLine(io.stdout, `${cacheNote(report)}; total ${(timings.totalMs / 1000).toFixed(1)} s`);
}
