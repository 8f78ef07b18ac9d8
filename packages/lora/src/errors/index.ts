export { LoraAdapterError } from './lora-adapter-error';
export { LoraFileError } from './lora-file-error';
export { LoraLayoutError } from './lora-layout-error';
export { LoraShapeError } from './lora-shape-error';
export { LoraTargetNotFoundError } from './lora-target-not-found-error';
export { LoraValueError } from './lora-value-error';
export { OnnxModelError } from './onnx-model-error';
export { SafetensorsFormatError } from './safetensors-format-error';
