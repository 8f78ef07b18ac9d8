export { pickAbsentCategory } from './absent-category';
export {
  DETECTOR_BOX_MIN_IOU,
  type DetectorBox,
  matchDetectorBoxes,
  readDetectorBoxes,
} from './detector-boxes';
export { SAMPLE_KINDS, type Sample, type SampleKind, type SamplePoint } from './sample';
export { SampleBuilder, type SampleSpec, type SamplingOptions } from './sample-builder';
export {
  type OpenSampleStreamOptions,
  SampleStream,
  type SampleStreamOptions,
  type Shard,
} from './sample-stream';
