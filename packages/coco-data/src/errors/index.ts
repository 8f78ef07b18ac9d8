export { CocoFormatError } from './coco-format-error';
export { CocoReadError } from './coco-read-error';
export { ImageDecodeError } from './image-decode-error';
export { ImageReadError } from './image-read-error';
export { InvalidRleError } from './invalid-rle-error';
export { InvalidSegmentationError } from './invalid-segmentation-error';
export { IouInputError } from './iou-input-error';
export { SampleOptionsError } from './sample-options-error';
