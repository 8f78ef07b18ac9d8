export { readFileBytes, writeFileAtomic } from './atomic-file';
export { DecoderGraph, type GraphLinear, LORA_A_INPUT, LORA_B_INPUT } from './decoder-graph';
export {
  LoraAdapterError,
  LoraFileError,
  LoraLayoutError,
  LoraShapeError,
  LoraTargetNotFoundError,
  LoraValueError,
  OnnxModelError,
  SafetensorsFormatError,
} from './errors';
export {
  type Float32Tensor,
  type InjectedModel,
  injectLora,
  LORA_RANK_DIM,
  loraFeeds,
} from './lora-injection';
export { deltaNorm, deltaWeight, frobeniusNorm, mergeIntoWeight } from './lora-math';
export { mergeLora } from './lora-merge';
export { type LoraLayerSummary, type LoraSummary, summarizeLora } from './lora-summary';
export {
  HEAD_TARGETS,
  isAttentionProjection,
  isHeadLayer,
  type LinearOp,
  type LoraTarget,
  nodeNameForPath,
  pathFromNodeName,
  type WeightLayout,
} from './lora-target';
export { type LoraLayer, type LoraMetadata, LoraWeights, type LoraWeightsInit } from './lora-weights';
export {
  adapterMetadata,
  type DecodeLoraOptions,
  decodeLora,
  encodeLora,
  loadLora,
  PEFT_PREFIX,
  peftTensorName,
  saveLora,
} from './peft-adapter';
export {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsHeader,
  type SafetensorsContents,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type SafetensorsTensor,
  tensorAsFloat32,
} from './safetensors';
