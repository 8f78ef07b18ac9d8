import type { RgbImage } from '@tasam/coco-data';

/** The models shipped with the package (tfjs graph models, MIT). */
export type ShippedModelName = 'centernet' | 'nanodet';

/** YOLOv8 ONNX exports the user supplies (AGPL-3.0, not shipped; README "YOLOv8"). */
export type YoloV8ModelName = 'yolov8n' | 'yolov8s' | 'yolov8m';

/** The models the detector can run; `CocoDetector.load({ models })` picks any non-empty set of them. */
export type DetectorModelName = ShippedModelName | YoloV8ModelName;

/** An axis-aligned box [x1, y1, x2, y2] in image pixels: x1 < x2, y1 < y2, inside [0, width] x [0, height]. */
export type Box = [x1: number, y1: number, x2: number, y2: number];

/** One detected object. */
export interface Detection {
  /** In the original image's pixels (after EXIF orientation), clipped to the image. */
  box: Box;
  /** COCO category id (1-90 with gaps), as in instances_*.json. */
  categoryId: number;
  /** COCO category name, e.g. 'elephant'. */
  category: string;
  /** The model's confidence, 0-1. Low in absolute terms: pick thresholds from measured precision/recall. */
  score: number;
}

/** What `detect` accepts: a file path, encoded image bytes (JPEG, PNG, ...), or decoded 8-bit RGB pixels. */
export type DetectorImage = string | Buffer | Uint8Array | RgbImage;

export interface DetectOptions {
  /** Keep detections scoring at least this, 0-1. Default 0.05. */
  scoreThreshold?: number;
  /**
   * Per-class NMS: drop a box whose IoU with a better-scoring box of its class exceeds this, 0-1. Over all
   * passes with `merge: 'nms'` (default 0.5); within each pass before fusion with `merge: 'wbf'` (default 0.8).
   */
  nmsIou?: number;
  /** At most this many detections (the best), a positive integer. Default 100 (all the model gives). */
  maxDetections?: number;
  /** Keep only these COCO category ids (e.g. [17, 18] for cats and dogs). Default: all 80. */
  categoryIds?: readonly number[];
  /**
   * Test-time augmentation. 'none' (default): one model pass. 'flip': also run the left-right mirrored image
   * and map its boxes back (x' = width - x), then merge the two passes with `merge`. Doubles the model time.
   */
  augment?: DetectAugment;
  /**
   * Small objects: also run each model on the image's four corner tiles (each 60% of its width and height,
   * stretched to the model's input, so objects look 1.67 times larger) and add the tiles' boxes of small
   * objects (mean side under 128 px, not cut by a tile edge) to the model's full-image pass. Default false;
   * five passes of each model instead of one.
   */
  tiles?: boolean;
  /**
   * How the passes' boxes become detections. 'nms' (default): per-class NMS at `nmsIou` over all of them.
   * 'wbf': weighted box fusion: each pass's near-duplicates removed (NMS at `nmsIou`), then same-class boxes of
   * different passes overlapping by IoU above `fusionIou` clustered; a cluster's box is the score-weighted mean
   * of its boxes, its score their sum divided by the number of passes (a box one pass of two found keeps half
   * its score).
   */
  merge?: DetectMerge;
  /** Weighted box fusion: a box joins a same-class cluster whose fused box it overlaps with IoU above this, 0-1. Default 0.6. */
  fusionIou?: number;
}

/** `DetectOptions.augment`. */
export type DetectAugment = 'none' | 'flip';
/** `DetectOptions.merge`. */
export type DetectMerge = 'nms' | 'wbf';

/** `DetectOptions` with defaults applied and validated. */
export interface ResolvedDetectOptions {
  scoreThreshold: number;
  nmsIou: number;
  maxDetections: number;
  /** undefined: all categories. */
  categoryIds: ReadonlySet<number> | undefined;
  augment: DetectAugment;
  tiles: boolean;
  merge: DetectMerge;
  fusionIou: number;
}

export interface DetectorLoadOptions {
  /** Directory holding the models' files (centernet.json/.bin, nanodet.json/.bin). Default: the package's own `models/`. */
  modelDir?: string;
  /** Check each file's SHA-256 against `CENTERNET_SHA256` / `NANODET_SHA256`. Default true. */
  verify?: boolean;
  /**
   * The models to run, a non-empty list of distinct names: ['centernet', 'nanodet'] (default: both, boxes fused
   * by weighted box fusion), ['centernet'] (one model, about half the time), ['nanodet'].
   */
  models?: readonly DetectorModelName[];
  /**
   * Run each model in a worker thread of its own, at the same time (wasm tfjs is single-threaded in Node). Default:
   * when more than one model runs, the machine has more than one core and the 1-minute load average leaves at
   * least one idle (decided at load). Costs each thread's own tfjs engine (tens of MB) and a copy of the pixels.
   */
  parallel?: boolean;
}

/** One entry of a COCO bbox results file (what `pnpm tasam coco-eval --iou-type bbox` reads). */
export interface CocoBboxResult {
  image_id: number;
  category_id: number;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number];
  score: number;
}
