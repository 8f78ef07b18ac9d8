export { EvalInputError } from './errors';
export { type EvalSelection, presentCategories, type SelectionOptions, selectEval } from './eval-selection';
export { type EvaluatePartOptions, evalPasses, evaluatePart } from './evaluate-part';
export {
  type EvaluateOptions,
  type EvaluationResult,
  evaluateOnCoco,
  type MiouSummary,
} from './protocols/coco-evaluation';
export { type GroundedImageResult, runGroundedImage } from './protocols/grounded-protocol';
export {
  type MiouPair,
  mergeMiou,
  type PointProtocolsPart,
  runPointProtocols,
} from './protocols/point-protocols';
export {
  runTextImage,
  type ScoredMask,
  type TextImageResult,
  type TextProtocolSettings,
  textTask,
} from './protocols/text-protocol';
export { type ComparisonPicture, comparisonPicture } from './report/comparison-picture';
export {
  type EvalPart,
  type EvalSettings,
  PART_FILE,
  PROTOCOLS,
  type Protocol,
  readParts,
} from './report/eval-part';
export { buildReport, type EvalReport, reportMarkdown } from './report/eval-report';
export { type ChartFiles, prCurves } from './report/pr-curves';
export {
  groundedResults,
  type Method,
  type TextMetrics,
  type TextSetting,
  textMetrics,
  textResults,
} from './report/text-metrics';
export { type Shard, shardRange, shardSlice, wholeShard } from './shard';
