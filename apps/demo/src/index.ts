export type * from './api-types';
export {
  createDemoServer,
  DEFAULT_MAX_PIXELS,
  DEFAULT_MAX_UPLOAD_BYTES,
  type DemoServerOptions,
} from './demo-server';
export { DemoRequestError } from './errors/demo-request-error';
export { ImageNotFoundError } from './errors/image-not-found-error';
export { ImageTooLargeError } from './errors/image-too-large-error';
export { ImageUnreadableError } from './errors/image-unreadable-error';
export { InvalidSettingError } from './errors/invalid-setting-error';
export { NotAnImageError } from './errors/not-an-image-error';
export { ServerBusyError } from './errors/server-busy-error';
export { TaskModeUnavailableError } from './errors/task-mode-unavailable-error';
export { UploadTooLargeError } from './errors/upload-too-large-error';
export { WebBuildMissingError } from './errors/web-build-missing-error';
export { loadTaskLoras, type TaskLoraSetup } from './hypernet-task-loras';
export { ImageStore } from './image-store';
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
export { SessionQueue } from './session-queue';
export { type RunningDemo, startDemo } from './start-demo';
export { type GroundingSetup, loadGrounding, type TaskGrounderLike } from './task-grounding';
export { decodeUploadedImage, type RgbPixels, type UploadedImage } from './uploaded-image';
