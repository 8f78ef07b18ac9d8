export {
  type ColourAdaptation,
  EXPOSURE_MAX_GAIN,
  EXPOSURE_PERCENTILE,
  type LightAdaptationOptions,
  lightAdaptation,
  NO_ADAPTATION,
} from './colour/colour-adaptation';
export { basicColour, COLOUR_NAMES, type ColourName } from './colour/colour-names';
export { type ColourShares, maskColourShares } from './colour/mask-colour';
export { pixelColour, srgbToLab } from './colour/pixel-colour';
export { TaskSegmentationOptionsError } from './errors';
export * from './grounding';
export {
  type Box,
  type BoxMask,
  type BoxMaskOptions,
  type BoxPrediction,
  type BoxRequest,
  boxMasks,
  clipBox,
  scaleBox,
  type TrunkFunction,
} from './instances/box-masks';
export {
  BOX_SCALE_DEFAULT,
  type BoxHeads,
  type DetectorLike,
  type GroundedInstance,
  type GroundedOptions,
  type GroundedResult,
  GroundedSegmenter,
  type GroundedTaskResult,
  type GroundingLike,
  type SamLike,
} from './instances/grounded-segmenter';
export { maskNms } from './instances/mask-nms';
export {
  DEFAULT_SCORE_THRESHOLD,
  isZeroLora,
  type TaskAutomaticOptions,
  type TaskAutomaticResult,
  type TaskInstance,
  type TaskInstances,
  type TaskLoraSource,
  TaskSegmenter,
} from './task-segmenter/task-segmenter';
