// The JSON shapes of the demo's HTTP API, shared by the server and the page (no Node imports here).

export interface ApiError {
  error: { code: string; message: string };
}

export interface HealthResponse {
  status: 'ok';
  model: string;
  /**
   * `grounding`: with task mode, whether tasks are grounded to COCO categories and found by the detector
   * (`detector` names its model), or why not (`reason`: then every task runs on the task scorer path).
   */
  taskMode: {
    available: boolean;
    reason?: string;
    grounding?: { available: boolean; detector?: string; reason?: string };
  };
  /**
   * The model's queue: jobs waiting or running, the expected time until they are all done, the admission bound
   * (a request the model would not answer within it gets 503), each job kind's expected duration (a moving
   * mean of measured runs, a prior before the first), and the reserve every admission keeps free for time a
   * request spends unseen (the server's event loop's longest recent block).
   */
  queue: {
    pending: number;
    expectedDrainMs: number;
    maxWaitMs: number;
    expectedJobMs: { encode: number; prompt: number; automatic: number; task: number };
    reserveMs: number;
  };
  images: number;
  /** Images held, the sessions holding some, the anonymous uploads among them, and the store's capacity. */
  imageStore: { images: number; sessions: number; anonymous: number; capacity: number };
  limits: { maxUploadBytes: number; maxPixels: number };
}

export interface SamplesResponse {
  samples: { name: string; url: string; suggestions: string[] }[];
}

export interface UploadResponse {
  imageId: string;
  width: number;
  height: number;
  format: string;
  /** True when an upload with the same bytes was already encoded: the encoder did not run. */
  cached: boolean;
  timings: { decodeMs: number; queueMs: number; encoderMs: number; totalMs: number };
}

export interface SegmentBody {
  imageId: string;
  mode: 'automatic' | 'prompt';
  task?: string;
  points?: { x: number; y: number; label: 0 | 1 }[];
  box?: [number, number, number, number];
  compare?: boolean;
}

export interface ApiInstance {
  score: number;
  area: number;
  bbox: [number, number, number, number];
  /** COCO compressed RLE: column-major runs, background first, in COCO's string codec. */
  rle: { size: [number, number]; counts: string };
  /** Detector path: the COCO category the detector saw in the box that prompted this mask. */
  category?: string;
  /** Detector path: the detector's score for that box (`score` is it times the predicted IoU). */
  detectorScore?: number;
}

export interface ApiResult {
  instances: ApiInstance[];
  /** Prompt mode only: this head set's time (automatic mode counts it in timings.trunkMs). */
  headsMs?: number;
}

/**
 * Which path found a task's masks: 'detector' (the task names COCO categories: the detector's boxes through
 * the task-adapted heads), 'scorer' (it names none, or the detector is not loaded: the point grid ranked by
 * the task's scores), 'prompt' (points/box through the task-adapted heads).
 */
export type ApiTaskPath = 'detector' | 'scorer' | 'prompt';

/** What a task's text was grounded to. */
export interface ApiGrounding {
  /** True when the task names at least one COCO category (then `path` is 'detector'). */
  grounded: boolean;
  /** COCO categories, best first, with the text encoder's similarity; empty when not grounded. */
  categories: { id: number; name: string; score: number }[];
  /** The colour the task names ('grey' for "gray"), or null. */
  colour: string | null;
}

export interface SegmentResponse {
  imageId: string;
  width: number;
  height: number;
  mode: 'automatic' | 'prompt';
  task: string | null;
  /** Automatic mode with a task on a server that grounds tasks: what it was grounded to; otherwise null. */
  grounding: ApiGrounding | null;
  /** With a task: the path that found its masks; null without a task. */
  path: ApiTaskPath | null;
  results: { sam?: ApiResult; tasam?: ApiResult };
  /**
   * trunkMs: prompt mode, the trunk run; automatic mode, the whole grid pass (trunk, heads, selection), or on
   * the detector path the detected boxes' trunk and heads. taskMs: grounding and LoRA. detectMs: the
   * detector's run (detector path only).
   */
  timings: {
    queueMs: number;
    taskMs: number;
    trunkMs: number;
    encodeMs: number;
    totalMs: number;
    detectMs?: number;
  };
}
