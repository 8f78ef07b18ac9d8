export { CocoFormatError } from './errors';
