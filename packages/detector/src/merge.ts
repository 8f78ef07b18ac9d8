import { type FusableDetection, weightedBoxFusion } from './box-fusion';
import { nonMaxSuppression } from './nms';
import type { Box, ResolvedDetectOptions } from './types';

/** A box of the left-right mirrored image mapped back to the image: x' = width - x (corners swap). */
export function mirrorBox(box: readonly [number, number, number, number], width: number): Box {
  return [width - box[2], box[1], width - box[0], box[3]];
}

/** `mirrorBox` on every detection (other fields kept). Applying it twice gives the boxes back. */
export function mirrorDetections<D extends Pick<FusableDetection, 'box'>>(
  detections: readonly D[],
  width: number,
): D[] {
  return detections.map((detection) => ({ ...detection, box: mirrorBox(detection.box, width) }));
}

/** The options `mergeDetections` uses. */
export type MergeOptions = Pick<
  ResolvedDetectOptions,
  'scoreThreshold' | 'nmsIou' | 'maxDetections' | 'merge' | 'fusionIou'
>;

/**
 * The lowest score a box of a pass may have and still matter to weighted box fusion: a box under the final
 * threshold still confirms another pass's box, but one under 0.01 adds at most 0.01 / passes to a fused score,
 * and a dense model (NanoDet) would otherwise give tens of thousands of candidates.
 */
export const WBF_CANDIDATE_FLOOR = 0.01;

/**
 * The lowest score a pass's box must have to take part in merging: `scoreThreshold` for NMS (scores are
 * unchanged by it); for weighted box fusion the lower of `scoreThreshold` and WBF_CANDIDATE_FLOOR, as the
 * threshold applies to the fused score.
 */
export function candidateThreshold(options: Pick<MergeOptions, 'scoreThreshold' | 'merge'>): number {
  return options.merge === 'wbf'
    ? Math.min(options.scoreThreshold, WBF_CANDIDATE_FLOOR)
    : options.scoreThreshold;
}

/**
 * The detections of one or more passes (e.g. an image and its mirror, boxes mapped back) merged into one list,
 * at most `maxDetections`, best first:
 * - 'nms': per-class NMS at `nmsIou` over the union of the boxes scoring at least `scoreThreshold`. With one
 *   pass this is exactly the single-pass detector.
 * - 'wbf': per-class NMS at `nmsIou` within each pass (a pass's own near-duplicates), then weighted box fusion
 *   at `fusionIou` with at most one box of each pass in a cluster (a box of one pass of two keeps half its
 *   score), then the fused boxes scoring at least `scoreThreshold`. Fusion as in the paper (every box, any
 *   number from one pass) fuses neighbouring objects of one class and costs AP on coco-mini (README).
 */
export function mergeDetections<D extends FusableDetection>(
  passes: readonly (readonly D[])[],
  options: MergeOptions,
): D[] {
  if (options.merge === 'wbf') {
    const deduplicated = passes.map((pass) => nonMaxSuppression(pass, options.nmsIou));
    return weightedBoxFusion(deduplicated, { iouThreshold: options.fusionIou, onePerPass: true })
      .filter((detection) => detection.score >= options.scoreThreshold)
      .slice(0, options.maxDetections);
  }
  const candidates = passes.flat().filter((detection) => detection.score >= options.scoreThreshold);
  return nonMaxSuppression(candidates, options.nmsIou, options.maxDetections);
}
