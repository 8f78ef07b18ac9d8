export { describeValue } from './describe-value';
export { normaliseCause, TasamError, type TasamErrorOptions } from './tasam-error';
