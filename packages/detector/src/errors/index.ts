export { DetectorBackendError } from './detector-backend-error';
export { DetectorDisposedError } from './detector-disposed-error';
export { DetectorInputError } from './detector-input-error';
export { DetectorModelChecksumError } from './detector-model-checksum-error';
export { DetectorModelLoadError } from './detector-model-load-error';
export { DetectorModelReadError } from './detector-model-read-error';
export { DetectorOptionsError } from './detector-options-error';
export { DetectorWorkerError } from './detector-worker-error';
