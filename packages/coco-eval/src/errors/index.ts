export { CocoEvalInputError } from './coco-eval-input-error';
export { EvalOrderError } from './eval-order-error';
export { EvalParamsError } from './eval-params-error';
export { JsonFileError } from './json-file-error';
export { RleSizeError } from './rle-size-error';
export { UnknownImageError } from './unknown-image-error';
