export { AdamW, type AdamWOptions, DEFAULT_ADAMW, learningRate } from './adamw';
export {
  type BatchPreparer,
  type BatchRequest,
  InThreadBatchPreparer,
  type PreparedBatch,
} from './batch-preparation/batch-preparer';
export { BatchWorker, type BatchWorkerOptions } from './batch-preparation/batch-worker';
export {
  CHECKPOINT_FORMAT,
  type CheckpointExpectation,
  checkCompatible,
  decodeHypernet,
  decodeScorer,
  type EncodeOptions,
  encodeHypernet,
  loadHypernet,
  loadTaskScorer,
  saveHypernet,
} from './checkpoint';
export {
  CocoTrainingData,
  type CocoTrainingDataOptions,
  isMultimaskPrompt,
  samplePrompt,
} from './coco-training-data';
export {
  BatchWorkerError,
  CheckpointFormatError,
  CheckpointMismatchError,
  CheckpointNotFoundError,
  HypernetConfigError,
  TrainingDataError,
} from './errors';
export { type FitScorerOptions, fitTaskScorer, type ScorerExample } from './fit-task-scorer';
export { type FusedMaskTargets, fusedSamLoss } from './fused-mask-loss';
export {
  DEFAULT_HYPERNET_CONFIG,
  type HypernetConfig,
  type HypernetTarget,
  resolveConfig,
  targetParts,
} from './hypernet-config';
export { type ForwardOptions, Hypernetwork, type TargetLoraTensors } from './hypernetwork';
export { LOW_RES_SIZE, letterboxTarget } from './letterbox-target';
export {
  DEFAULT_LOSS_WEIGHTS,
  type LossParts,
  type LossWeights,
  maskLosses,
  samLoss,
  trueIou,
} from './losses';
export { mixSeed, Rng } from './rng';
export { defaultCheckpointPath, type TaskEmbedder, TaskLoraGenerator } from './task-lora-generator';
export {
  DEFAULT_SCORER_CONFIG,
  EMBEDDING_GRID,
  embeddingGridCoverage,
  pointPatchCoverage,
  pooledMaskFeatures,
  scorerParameterShapes,
  TaskMaskScorer,
  type TaskScorerConfig,
} from './task-mask-scorer';
export { type HypernetBackend, tf, useBackend, useGradients } from './tf';
export {
  type BatchLora,
  disposeTfTrunk,
  type HeadWeightsLike,
  TfHeads,
  type TfTrunk,
  toTfTrunk,
} from './tf-heads';
export {
  readTrainingLog,
  type TrainOnCocoOptions,
  type TrainOnCocoResult,
  trainOnCoco,
  type ValidationEvaluator,
  type ValidationMiou,
  type ValidationSummary,
} from './train-on-coco';
export {
  type CollectScorerOptions,
  collectScorerExamples,
  embedCategoryPhrasings,
  type ScorerData,
  type ScorerMetrics,
  scorerMetrics,
  type TrainScorerOptions,
  trainTaskScorer,
} from './train-task-scorer';
export {
  DEFAULT_TRAIN_OPTIONS,
  type StepRecord,
  type TrainingBatch,
  type TrainingData,
  type TrainingSample,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type TrainRun,
  train,
  trainStep,
} from './trainer';
export { TrainingCheckpoints, type TrainingState } from './training-checkpoints';
