import type { Rle } from '../mask';
import type { CornerBox } from '../sampling';

/**
 * What a sample trains or tests:
 * - 'instance': one instance of category c, prompted by 1-3 points on it (and maybe its box) → its mask;
 * - 'category': every instance of c, prompted by up to 3 positive and 2 negative points → their union;
 * - 'negative': points on an instance of c' while the task names a c absent from the image → empty mask.
 */
export type SampleKind = 'instance' | 'category' | 'negative';

export const SAMPLE_KINDS: readonly SampleKind[] = ['instance', 'category', 'negative'];

/** A click in original-image pixels (x = column, y = row); label 1 = on the object, 0 = not on it. */
export interface SamplePoint {
  x: number;
  y: number;
  label: 0 | 1;
}

/** One task-aware training or evaluation sample. */
export interface Sample {
  /** Position in the epoch's full (unsharded) stream: equal across shardings. */
  index: number;
  kind: SampleKind;
  imageId: number;
  /** Path of the image file (the COCO split directory joined with file_name). */
  imagePath: string;
  width: number;
  height: number;
  /** The category the task names. */
  categoryId: number;
  categoryName: string;
  task: string;
  points: SamplePoint[];
  /** Box prompt by its corners (x0, y0, x1, y1), instance and negative samples only, sometimes. */
  box?: CornerBox;
  /** What the model should output for this task and prompt (empty for 'negative'). */
  target: Rle;
  /** Crowd regions of the category: neither target nor background; leave them out of the loss. */
  ignore?: Rle;
  /** The annotations in the target; for 'negative', the instance the points are on. */
  annotationIds: number[];
}
