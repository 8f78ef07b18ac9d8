export { CocoEvalInputError } from './errors';
