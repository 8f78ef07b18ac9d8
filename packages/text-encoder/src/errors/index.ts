export { TextCacheError } from './text-cache-error';
export { TextEncoderBackendError } from './text-encoder-backend-error';
export { TextEncoderDisposedError } from './text-encoder-disposed-error';
export { TextEncoderInputError } from './text-encoder-input-error';
export { TextModelLoadError } from './text-model-load-error';
export { TextModelMissingError } from './text-model-missing-error';
export { TextTooLongError } from './text-too-long-error';
