export { LoraShapeError } from './errors';
