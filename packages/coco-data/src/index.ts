export * from './errors';
export * from './mask';
