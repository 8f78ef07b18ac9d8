import type { DetectorModelName } from '@tasam/detector';
import type { BoxPrompt, EncoderPrecision, PointPrompt } from '@tasam/sam-runtime';

/** The options of `tasam segment`, as commander parses them (plain SAM prompts, --everything and --task). */
export interface SegmentOptions {
  point: PointPrompt[];
  box?: BoxPrompt;
  out?: string;
  overlay?: string;
  json?: boolean;
  everything?: boolean;
  multimask?: boolean;
  grid: number;
  task: string[];
  detector: boolean;
  detectorModelDir?: string;
  detectorModels?: DetectorModelName[];
  detectorTiles?: boolean;
  colourAdaptation?: number;
  colourExposure: boolean;
  checkpoint?: string;
  encoder: 'use-lite' | 'minilm';
  scoreThreshold?: number;
  relativeThreshold?: number;
  prompts?: number;
  minRegionArea: number;
  threads?: number;
  provider: string;
  cache: boolean;
  encoderPrecision?: EncoderPrecision;
}
