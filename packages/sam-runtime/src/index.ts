export { SamModelMissingError } from './errors';
export { locateSamModels, runtimeVersions, type SamModelFiles } from './model-files';
