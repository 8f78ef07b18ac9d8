export { HypernetConfigError } from './errors';
