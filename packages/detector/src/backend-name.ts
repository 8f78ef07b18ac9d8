/** The tfjs backend the detector runs on. */
export const DETECTOR_TFJS_BACKEND = 'wasm';
