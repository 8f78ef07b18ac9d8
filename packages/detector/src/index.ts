export { ImageDecodeError, ImageReadError, type RgbImage } from '@tasam/coco-data';
export { DETECTOR_TFJS_BACKEND } from './backend-name';
export { type BoxFusionOptions, type FusableDetection, weightedBoxFusion } from './box-fusion';
export { CachedDetector, type Detecting, type DetectionCacheStatus } from './cached-detector';
export { CocoDetector } from './coco-detector';
export { detectionsToCocoResults } from './coco-results';
export { type DecodeOptions, decodeDetections, scaleAndClipBox } from './decode';
export { DETECTION_CACHE_VERSION, DetectionCache, type DetectionCacheRead } from './detection-cache';
export {
  DetectorBackendError,
  DetectorDisposedError,
  DetectorInputError,
  DetectorModelChecksumError,
  DetectorModelLoadError,
  DetectorModelReadError,
  DetectorOptionsError,
} from './errors';
export {
  candidateThreshold,
  type MergeOptions,
  mergeDetections,
  mirrorBox,
  mirrorDetections,
  WBF_CANDIDATE_FLOOR,
} from './merge';
export {
  CENTERNET_INPUT_NODE,
  CENTERNET_MODEL_ID,
  CENTERNET_OUTPUT_NODE,
  CENTERNET_SHA256,
  DETECTOR_INPUT_SIZE,
} from './model/centernet-constants';
export { DETECTOR_SHA256 } from './model/model-checksums';
export { defaultModelDir } from './model/model-files';
export {
  NANODET_INPUT_SIZE,
  NANODET_MODEL_ID,
  NANODET_SHA256,
} from './model/nanodet-constants';
export {
  isYoloV8,
  YOLOV8_FILES,
  YOLOV8_INPUT_SIZE,
  YOLOV8_MODELS,
  YOLOV8_NMS_IOU,
  YOLOV8_SHA256,
} from './model/yolov8-constants';
export {
  decodeNanoDet,
  expectedDistance,
  type NanoDetDecodeOptions,
  type NanoDetLevel,
} from './nanodet-decode';
export { boxIou, nonMaxSuppression } from './nms';
export {
  DEFAULT_DETECT_OPTIONS,
  DEFAULT_DETECTOR_MODELS,
  DEFAULT_WBF_NMS_IOU,
  DETECTOR_MODELS,
  resolveDetectOptions,
  SHIPPED_DETECTOR_MODELS,
} from './options';
export { cornerTiles, cropRgb, fromTile, TILE_FRACTION, TILE_MAX_SIDE, type Tile } from './tiles';
export type {
  Box,
  CocoBboxResult,
  DetectAugment,
  Detection,
  DetectMerge,
  DetectOptions,
  DetectorImage,
  DetectorLoadOptions,
  DetectorModelName,
  ResolvedDetectOptions,
  ShippedModelName,
  YoloV8ModelName,
} from './types';
export { decodeYoloV8, type YoloV8DecodeOptions } from './yolov8-decode';
