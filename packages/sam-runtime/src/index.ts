export {
  type AutomaticInstance,
  AutomaticMaskGenerator,
  type AutomaticOptions,
  type HeadsFunction,
  type MaskCandidate,
  type TrunkRunner,
  toAutomaticInstance,
} from './automatic/automatic-mask-generator';
export { boxIou, boxNms, maskBox, type XyxyBox } from './automatic/box-nms';
export { pointGrid } from './automatic/point-grid';
export { connectedComponents, removeSmallRegions } from './automatic/small-regions';
export { EmbeddingCache, type EmbeddingCacheRead } from './embedding-cache';
export {
  DEFAULT_ENCODER_PRECISION,
  ENCODER_PRECISIONS,
  type EncoderPrecision,
  int8EncoderCachePath,
  parseEncoderPrecision,
  prepareInt8Encoder,
} from './encoder-precision';
export {
  ENCODER_QUANTIZATION_VERSION,
  type EncoderQuantizationSummary,
  KNOWN_INT8_ENCODERS,
  type QuantizedEncoder,
  quantizeColumns,
  quantizeEncoder,
} from './encoder-quantization';
export * from './errors';
export { headWeightsFromModel } from './head-weights';
export {
  assertLoraFitsHeads,
  HEAD_LAYER_NAMES,
  type HeadLayer,
  type HeadLora,
  type HeadOutputs,
  type HeadWeights,
  maskLogits,
  predictHeads,
  runHeads,
} from './heads';
export { ImageFrame, type ImageSize, SAM_INPUT_SIZE, SAM_LOW_RES_SIZE } from './image-frame';
export {
  OVERLAY_PALETTE,
  type OverlayOptions,
  renderOverlay,
  writeLabelPng,
  writeMaskPng,
  writeOverlayPng,
} from './mask-png';
export {
  MASK_THRESHOLD,
  stabilityScore,
  thresholdLogits,
  type UpscaledMask,
  type UpscaleMaskOptions,
  upscaleLogits,
  upscaleMask,
} from './mask-postprocess';
export { type MaskOutputMode, selectMasks } from './mask-selection';
export { locateSamModels, runtimeVersions, type SamModelFiles } from './model-files';
export { availableExecutionProviders, type GraphOptimizationLevel, type SessionConfig } from './onnx-session';
export { letterboxImage } from './preprocess';
export {
  type BoxPrompt,
  type EncodedPrompt,
  encodePrompt,
  type PointPrompt,
  type Prompt,
  validatePrompt,
} from './prompt';
export {
  type EmbeddingCacheStatus,
  type EmbedResult,
  type ReferenceDecode,
  SamRuntime,
  type SamRuntimeOptions,
  type SegmentedMask,
  type SegmentOptions,
} from './sam-runtime';
export { assertDims, type Tensor32 } from './tensor';
export { EMBEDDING_DIMS, Trunk } from './trunk';
export { buildTrunkModel, TRUNK_SURGERY_VERSION, TrunkOutputName } from './trunk-model';
export type { TrunkOutput } from './trunk-output';
