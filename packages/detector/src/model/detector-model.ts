import type { RgbImage } from '@tasam/coco-data';
import type { Detection, DetectorModelName } from '../types';

/** What one model pass keeps of the decoded rows. */
export interface PassFilter {
  scoreThreshold: number;
  /** undefined: all categories. */
  categoryIds: ReadonlySet<number> | undefined;
}

/**
 * One loaded detection model: runs an image (or its left-right mirror, boxes mapped back to the image) and
 * returns its decoded detections in the image's pixels, clipped to it, after the model's own duplicate removal
 * and before any merging with other passes.
 */
export interface DetectorModel {
  readonly name: DetectorModelName;
  /** Model name and version, e.g. for results files. */
  readonly id: string;
  /** Side of the square input the image is stretched to. */
  readonly inputSize: number;
  run(image: RgbImage, mirrored: boolean, filter: PassFilter): Promise<Detection[]>;
  dispose(): void;
}
