export { COCO_CATEGORIES } from './coco-categories';
export { type AnnotationQuery, CocoDataset, isCrowd } from './coco-dataset';
export { parseJsonObject, type ReadJsonOptions, type ReadJsonProgress, readJsonFile } from './read-json-file';
export type { CocoAnnotation, CocoCategory, CocoImage, CocoInstances, CocoLicense } from './types';
export { type CocoProblem, type ValidateOptions, validateCocoInstances } from './validate';
