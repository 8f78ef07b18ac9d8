import { boxIou } from './nms';
import type { Box, Detection } from './types';

/** What weighted box fusion needs of a detection; other fields are carried over from a cluster's best box. */
export type FusableDetection = Pick<Detection, 'box' | 'categoryId' | 'score'>;

export interface BoxFusionOptions {
  /**
   * A box joins the cluster of its category whose current fused box it overlaps most, if that IoU is above
   * this (strictly); otherwise it starts a cluster. Solovyev et al. use 0.55.
   */
  iouThreshold: number;
  /**
   * N, the number of passes (models, augmentations) the boxes come from; default `passes.length` (at least 1). A cluster of
   * T boxes scores (sum of their scores) / max(T, N): a box only one of two passes found keeps half its score.
   */
  passCount?: number;
  /** A cluster takes at most one box of each pass (default false: any number, as in the paper). */
  onePerPass?: boolean;
  /**
   * 0-1, default 0 (the paper): when a cluster has T < N boxes, each missing one counts as this fraction of
   * the cluster's mean score, so its score is (sum + (N - T) * weight * mean) / N; 1 scores every cluster by
   * its mean, whatever the number of passes that found it.
   */
  absentPassWeight?: number;
}

interface Cluster<D> {
  best: D;
  members: Array<{ box: Box; score: number; pass: number }>;
  fused: Box;
}

/**
 * Weighted box fusion (Solovyev, Wang, Gabruseva 2019, "Weighted boxes fusion: ensembling boxes from different
 * object detection models"): the boxes of all passes, best score first, are clustered per category; a box
 * joins the cluster whose fused box it overlaps most with IoU above `iouThreshold`. A cluster's fused box is
 * the score-weighted mean of its boxes' corners (the plain mean if every score is 0) and its score is the sum
 * of their scores divided by max(T, N) (T boxes, N passes): the mean score, scaled by T/N when fewer than N
 * boxes agree. Each result carries the other fields of its cluster's best box. Sorted by score, descending
 * (ties: the cluster started first). Boxes inside an image stay inside it (fused corners are convex
 * combinations).
 */
export function weightedBoxFusion<D extends FusableDetection>(
  passes: readonly (readonly D[])[],
  options: BoxFusionOptions,
): D[] {
  const passCount = options.passCount ?? Math.max(passes.length, 1);
  if (!Number.isSafeInteger(passCount) || passCount < 1) {
    throw new RangeError(`weightedBoxFusion: passCount must be a positive integer, got ${passCount}`);
  }
  const absentPassWeight = options.absentPassWeight ?? 0;
  if (!(absentPassWeight >= 0 && absentPassWeight <= 1)) {
    throw new RangeError(`weightedBoxFusion: absentPassWeight must be from 0 to 1, got ${absentPassWeight}`);
  }
  const all: Array<{ detection: D; pass: number }> = [];
  passes.forEach((detections, pass) => {
    for (const detection of detections) all.push({ detection, pass });
  });
  // Stable: equal scores keep pass order, then input order.
  all.sort((a, b) => b.detection.score - a.detection.score);
  const clusters: Cluster<D>[] = [];
  const byCategory = new Map<number, Cluster<D>[]>();
  for (const { detection, pass } of all) {
    const sameCategory = byCategory.get(detection.categoryId) ?? [];
    let match: Cluster<D> | undefined;
    let matchIou = options.iouThreshold;
    for (const cluster of sameCategory) {
      if (options.onePerPass && cluster.members.some((member) => member.pass === pass)) continue;
      const iou = boxIou(cluster.fused, detection.box);
      if (iou > matchIou) {
        match = cluster;
        matchIou = iou;
      }
    }
    const member = { box: detection.box, score: detection.score, pass };
    if (match) {
      match.members.push(member);
      match.fused = weightedMeanBox(match.members);
    } else {
      const cluster: Cluster<D> = { best: detection, members: [member], fused: [...detection.box] };
      clusters.push(cluster);
      sameCategory.push(cluster);
      byCategory.set(detection.categoryId, sameCategory);
    }
  }
  const fused = clusters.map((cluster) => {
    const total = cluster.members.reduce((sum, member) => sum + member.score, 0);
    const count = cluster.members.length;
    const absent = Math.max(passCount - count, 0) * absentPassWeight * (total / count);
    return { ...cluster.best, box: cluster.fused, score: (total + absent) / Math.max(count, passCount) };
  });
  // Array.prototype.sort is stable: ties keep cluster order.
  return fused.sort((a, b) => b.score - a.score);
}

/**
 * Score-weighted mean of the corners (the plain mean when the scores sum to 0), kept within the members' range
 * of each corner so rounding never moves it outside them (or the image).
 */
function weightedMeanBox(members: ReadonlyArray<{ box: Box; score: number }>): Box {
  const total = members.reduce((sum, member) => sum + member.score, 0);
  const out: Box = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    let sum = 0;
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const { box, score } of members) {
      sum += (total > 0 ? score / total : 1 / members.length) * box[k];
      low = Math.min(low, box[k]);
      high = Math.max(high, box[k]);
    }
    out[k] = Math.min(Math.max(sum, low), high);
  }
  return out;
}
