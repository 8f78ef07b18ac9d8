import { CENTERNET_SHA256 } from './centernet-constants';
import { NANODET_SHA256 } from './nanodet-constants';

/** SHA-256 (hex) of every model file the package ships, by file name (e.g. for an install check). */
export const DETECTOR_SHA256: Readonly<Record<string, string>> = Object.freeze({
  ...CENTERNET_SHA256,
  ...NANODET_SHA256,
});
