export { TextEncoderInputError } from './errors';
