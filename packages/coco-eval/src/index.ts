export { type AccumulateShape, type Accumulation, accumulatePairs, type Float64Tensor } from './accumulate';
export { type CategoryAp, CocoEval, type EvalImage, type EvaluateOptions } from './coco-eval';
export * from './errors';
export { loadGroundTruthFile, loadResultsFile, readJsonFile } from './files';
export {
  GroundTruth,
  type GroundTruthLike,
  type GtAnnotation,
  type GtCategory,
  type GtImage,
} from './ground-truth';
export {
  bestIouPerDetection,
  createMatchBuffers,
  type MatchBuffers,
  matchImage,
  type PairData,
} from './match-image';
export {
  type CategoryMaskIou,
  type CategoryMaskMiou,
  type CategoryMaskOptions,
  categoryMaskMiou,
  type InstanceMiou,
  type MiouBucket,
} from './miou';
export { numpyMean, numpySum } from './numpy-mean';
export { IGNORED, MATCHED, type PairTable } from './pair-table';
export { defaultParams, type EvalParams, type IouType, linspace, normaliseParams } from './params';
export { pythonFixed } from './python-format';
export { type CocoResult, CocoResults, loadResults, type ResultsKind } from './results';
export { categoryAp, type Summary, summarizeAccumulation } from './summarize';
export { AUTO_WORKER_MIN_PAIRS, defaultWorkerCount, type WorkerOptions } from './worker-pool';
