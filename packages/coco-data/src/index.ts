export * from './errors';
export * from './image';
export * from './mask';
