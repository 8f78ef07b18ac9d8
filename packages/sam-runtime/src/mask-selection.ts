import { MASK_TOKENS } from './trunk-output';

/**
 * Which of the decoder's four masks a prompt returns:
 * - 'auto': SamOnnxModel's rule: with at most 2 prompt tokens (one point plus padding, or a box alone) the best
 *   of masks 1-3 by predicted IoU, otherwise mask 0 (the parity reference);
 * - 'best': multimask output, the best of masks 1-3 by predicted IoU;
 * - 'all': multimask output, masks 1-3 sorted by predicted IoU;
 * - 'single': single-mask output (mask 0).
 */
export type MaskOutputMode = 'auto' | 'best' | 'all' | 'single';

/** Mask indices (0-3) to return for one prompt, best first. `iou` holds that prompt's 4 predictions. */
export function selectMasks(iou: ArrayLike<number>, tokens: number, mode: MaskOutputMode): number[] {
  if (mode === 'single') return [0];
  if (mode === 'auto') {
    // Literally SamOnnxModel.select_masks: score = iou + (tokens - 2.5) * [1000, 0, 0, 0], argmax (first on ties).
    let best = 0;
    let bestScore = -Infinity;
    for (let m = 0; m < MASK_TOKENS; m++) {
      const score = iou[m] + (m === 0 ? (tokens - 2.5) * 1000 : 0);
      if (score > bestScore) {
        best = m;
        bestScore = score;
      }
    }
    return [best];
  }
  const ranked = [1, 2, 3].sort((a, b) => iou[b] - iou[a] || a - b);
  return mode === 'best' ? ranked.slice(0, 1) : ranked;
}
