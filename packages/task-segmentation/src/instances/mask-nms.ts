import { type Rle, rleIou } from '@tasam/coco-data';

/**
 * Greedy non-maximum suppression on masks: visits masks best score first and drops any whose mask IoU with an
 * already kept one exceeds `iouThreshold`. Box NMS would merge neighbours whose boxes overlap but whose masks
 * do not (two cats curled together); the detector's boxes have had box NMS per class already. Returns the kept
 * indices, best first.
 */
export function maskNms(rles: readonly Rle[], scores: readonly number[], iouThreshold: number): number[] {
  const order = [...rles.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length > 0) {
      const ious = rleIou(
        [rles[i]],
        kept.map((k) => rles[k]),
        new Uint8Array(kept.length),
      );
      if (ious.some((iou) => iou > iouThreshold)) continue;
    }
    kept.push(i);
  }
  return kept;
}
