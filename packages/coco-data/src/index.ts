export * from './coco';
export * from './errors';
export * from './image';
export * from './mask';
export * from './samples';
export * from './sampling';
export * from './task';
