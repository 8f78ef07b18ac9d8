import { type Bbox, type CompressedRle, compressRle, rleArea, rleToBbox } from '@tasam/coco-data';
import type { HeadsResult } from './segmentation-engine';

/** One mask as the API returns it: COCO's compressed RLE (what the COCO RLE JSON download holds). */
export interface EncodedInstance {
  score: number;
  area: number;
  /** x, y, w, h (COCO). */
  bbox: Bbox;
  rle: CompressedRle;
  /** Detector path: the COCO category of the box that prompted the mask. */
  category?: string;
  detectorScore?: number;
}

export interface EncodedResult {
  instances: EncodedInstance[];
  headsMs?: number;
}

/** COCO-compresses masks, best score first; empty masks are dropped (nothing to show or download). */
export function encodeInstances(result: HeadsResult): EncodedResult {
  const instances: EncodedInstance[] = [];
  for (const { rle, score, category, detectorScore } of result.instances) {
    const area = rleArea(rle);
    if (area === 0) continue;
    instances.push({
      score: round(score, 4),
      area,
      bbox: rleToBbox(rle),
      rle: compressRle(rle),
      ...(category !== undefined ? { category } : {}),
      ...(detectorScore !== undefined ? { detectorScore: round(detectorScore, 4) } : {}),
    });
  }
  instances.sort((a, b) => b.score - a.score);
  return { instances, ...(result.headsMs !== undefined ? { headsMs: round(result.headsMs, 1) } : {}) };
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
