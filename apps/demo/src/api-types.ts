// The JSON shapes of the demo's HTTP API, shared by the server and the page (no Node imports here).

export interface ApiError {
  error: { code: string; message: string };
}

export interface HealthResponse {
  status: 'ok';
  model: string;
  taskMode: { available: boolean; reason?: string };
  queue: { pending: number };
  images: number;
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
}

export interface ApiResult {
  instances: ApiInstance[];
  /** Prompt mode only: this head set's time (automatic mode counts it in timings.trunkMs). */
  headsMs?: number;
}

export interface SegmentResponse {
  imageId: string;
  width: number;
  height: number;
  mode: 'automatic' | 'prompt';
  task: string | null;
  results: { sam?: ApiResult; tasam?: ApiResult };
  /** trunkMs: prompt mode, the trunk run; automatic mode, the whole grid pass (trunk, heads, selection). */
  timings: { queueMs: number; taskMs: number; trunkMs: number; encodeMs: number; totalMs: number };
}
