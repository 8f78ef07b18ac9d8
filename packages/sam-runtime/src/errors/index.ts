export { ExecutionProviderError } from './execution-provider-error';
export { InvalidPromptError } from './invalid-prompt-error';
export { InvalidTensorError } from './invalid-tensor-error';
export { ModelLoadError } from './model-load-error';
export { ModelSurgeryError } from './model-surgery-error';
export { OutputWriteError } from './output-write-error';
export { SamModelMissingError } from './sam-model-missing-error';
