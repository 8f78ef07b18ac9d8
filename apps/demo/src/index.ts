export { AllowedHosts, type AllowedHostsOptions, parseHost } from './allowed-hosts';
export type * from './api-types';
export { SESSION_HEADER } from './client-session';
export {
  createDemoServer,
  DEFAULT_MAX_PIXELS,
  DEFAULT_MAX_UPLOAD_BYTES,
  type DemoServerOptions,
} from './demo-server';
export { ClientGoneError } from './errors/client-gone-error';
export { CrossOriginError } from './errors/cross-origin-error';
export { DemoRequestError } from './errors/demo-request-error';
export { HostNotAllowedError } from './errors/host-not-allowed-error';
export { ImageNotFoundError } from './errors/image-not-found-error';
export { ImageStoreFullError } from './errors/image-store-full-error';
export { ImageTooLargeError } from './errors/image-too-large-error';
export { ImageUnreadableError } from './errors/image-unreadable-error';
export { InvalidSettingError } from './errors/invalid-setting-error';
export { MethodNotAllowedError } from './errors/method-not-allowed-error';
export { ModelRestartingError } from './errors/model-restarting-error';
export { ModelWorkerError } from './errors/model-worker-error';
export { NotAnImageError } from './errors/not-an-image-error';
export { type ServerBusyDetails, ServerBusyError } from './errors/server-busy-error';
export { TaskModeUnavailableError } from './errors/task-mode-unavailable-error';
export { UploadTooLargeError } from './errors/upload-too-large-error';
export { WebBuildMissingError } from './errors/web-build-missing-error';
export { WorkerThrownError } from './errors/worker-thrown-error';
export { loadTaskLoras, type TaskLoraSetup } from './hypernet-task-loras';
export { DEFAULT_IMAGE_STORE, ImageStore, type ImageStoreOptions } from './image-store';
export { DEFAULT_JOB_PRIORS_MS, JobDurations, type JobKind } from './job-durations';
export { type LoadedSamEngine, loadSamEngine, type SamEngineSetup } from './load-sam-engine';
export {
  type AutomaticGrid,
  DEMO_AUTOMATIC_DEFAULTS,
  type SamEmbedding,
  SamEngine,
  type SamEngineOptions,
} from './sam-engine';
export { listSamples, type SampleImage } from './samples';
export {
  type PointPrompt,
  parseSegmentRequest,
  type SegmentMode,
  type SegmentRequest,
} from './segment-request';
export type {
  EngineSegmentation,
  HeadsResult,
  MaskInstance,
  SegmentationEngine,
  TaskGroundingSummary,
  TaskModeStatus,
  TaskPath,
} from './segmentation-engine';
export { readServerSettings, type ServerSettings } from './server-settings';
export {
  type Admission,
  ANONYMOUS_OWNER,
  DEFAULT_ADMISSION_DEVIATIONS,
  DEFAULT_MAX_PENDING,
  DEFAULT_MAX_WAIT_MS,
  type JobOrigin,
  SessionQueue,
  type SessionQueueOptions,
} from './session-queue';
export { type RunningDemo, startDemo } from './start-demo';
export { type GroundingSetup, loadGrounding, type TaskGrounderLike } from './task-grounding';
export { decodeUploadedImage, type RgbPixels, type UploadedImage } from './uploaded-image';
export { WorkerSamEngine, type WorkerSamEngineOptions } from './worker-sam-engine';
