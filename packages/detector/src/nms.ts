import type { Detection } from './types';

/** Intersection over union of two [x1, y1, x2, y2] boxes; 0 when either has no area. */
export function boxIou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (!(iw > 0 && ih > 0)) return 0;
  const intersection = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection;
  return union > 0 ? intersection / union : 0;
}

/**
 * Greedy per-class non-maximum suppression: in order of score (descending; ties keep input order), a
 * detection is kept unless a kept detection of the same category overlaps it with IoU above `iouThreshold`.
 * Stops after `maxDetections`. Returns the kept detections sorted by score, descending.
 */
export function nonMaxSuppression<D extends Pick<Detection, 'box' | 'categoryId' | 'score'>>(
  detections: readonly D[],
  iouThreshold: number,
  maxDetections = Number.POSITIVE_INFINITY,
): D[] {
  const order = detections
    .map((_, i) => i)
    .sort((i, j) => detections[j].score - detections[i].score || i - j);
  const kept: D[] = [];
  const keptByCategory = new Map<number, D[]>();
  for (const i of order) {
    if (kept.length >= maxDetections) break;
    const candidate = detections[i];
    const sameCategory = keptByCategory.get(candidate.categoryId) ?? [];
    if (sameCategory.some((other) => boxIou(other.box, candidate.box) > iouThreshold)) continue;
    sameCategory.push(candidate);
    keptByCategory.set(candidate.categoryId, sameCategory);
    kept.push(candidate);
  }
  return kept;
}
