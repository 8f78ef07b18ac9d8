export { EvalInputError } from './eval-input-error';
