export { DemoRequestError } from './errors';
