export { CocoEvalInputError } from './coco-eval-input-error';
export { EvalOrderError } from './eval-order-error';
export { EvalParamsError } from './eval-params-error';
export { ResultsFileError } from './results-file-error';
export { RleSizeError } from './rle-size-error';
export { UnknownImageError } from './unknown-image-error';
