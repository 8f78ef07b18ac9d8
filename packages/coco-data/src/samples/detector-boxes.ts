import { readFile } from 'node:fs/promises';
import { type CocoDataset, isCrowd } from '../coco';
import { CocoFormatError, CocoReadError, SampleOptionsError } from '../errors';
import { type Bbox, bboxIou } from '../mask';
import type { CornerBox } from '../sampling';

/** One detection in COCO's results format (bbox: x, y, width, height in image pixels). */
export interface DetectorBox {
  image_id: number;
  category_id: number;
  bbox: readonly [number, number, number, number] | readonly number[];
  score: number;
}

/** A detection counts as a box of an instance when their boxes overlap at least this much (COCO's AP50 match). */
export const DETECTOR_BOX_MIN_IOU = 0.5;

/**
 * The detections that are boxes of each annotation: every detection goes to the non-crowd annotation of its
 * image and category whose box it overlaps most, if that IoU is at least `minIou`. Several detections may land
 * on one instance (a detector's near-duplicates prompt SAM too); detections of images outside the dataset are
 * ignored. Returns corner boxes (x0, y0, x1, y1) clipped to the image, by annotation id.
 */
export function matchDetectorBoxes(
  dataset: CocoDataset,
  detections: readonly DetectorBox[],
  minIou = DETECTOR_BOX_MIN_IOU,
): Map<number, CornerBox[]> {
  const byImage = new Map<number, DetectorBox[]>();
  detections.forEach((d, i) => {
    checkDetection(d, i);
    if (!dataset.image(d.image_id)) return;
    const list = byImage.get(d.image_id);
    if (list) list.push(d);
    else byImage.set(d.image_id, [d]);
  });
  if (detections.length > 0 && byImage.size === 0)
    throw new SampleOptionsError(
      'detectorBoxes',
      `none of the ${detections.length} detections is of an image of this split`,
    );
  const matched = new Map<number, CornerBox[]>();
  for (const [imageId, found] of byImage) {
    const image = dataset.image(imageId)!;
    const annotations = dataset
      .annotationsOf(imageId)
      .filter((a): a is typeof a & { bbox: Bbox } => !isCrowd(a) && a.bbox !== undefined);
    for (const d of found) {
      const same = annotations.filter((a) => a.category_id === d.category_id);
      if (same.length === 0) continue;
      const ious = bboxIou(
        [d.bbox as Bbox],
        same.map((a) => a.bbox),
        same.map(() => 0),
      );
      let best = 0;
      for (let g = 1; g < same.length; g++) if (ious[g] > ious[best]) best = g;
      if (!(ious[best] >= minIou)) continue;
      const [x, y, w, h] = d.bbox;
      const box: CornerBox = [
        Math.max(0, x),
        Math.max(0, y),
        Math.min(image.width, x + w),
        Math.min(image.height, y + h),
      ];
      const list = matched.get(same[best].id);
      if (list) list.push(box);
      else matched.set(same[best].id, [box]);
    }
  }
  return matched;
}

function checkDetection(d: DetectorBox, index: number): void {
  const where = `detection ${index}`;
  if (!d || typeof d !== 'object') throw new SampleOptionsError('detectorBoxes', `${where} is not an object`);
  if (!Number.isInteger(d.image_id) || !Number.isInteger(d.category_id))
    throw new SampleOptionsError('detectorBoxes', `${where}: image_id and category_id must be integers`);
  const b = d.bbox;
  if (!Array.isArray(b) || b.length !== 4 || !b.every(Number.isFinite) || !(b[2] > 0 && b[3] > 0))
    throw new SampleOptionsError(
      'detectorBoxes',
      `${where}: bbox must be 4 finite numbers [x, y, width, height] with a positive size`,
    );
}

/**
 * A COCO bbox results file (a JSON array of {image_id, category_id, bbox, score}, as `tasam detect --coco`
 * writes) as detector boxes. Unreadable files give CocoReadError, malformed ones CocoFormatError naming the
 * file and the first bad entry.
 */
export async function readDetectorBoxes(path: string): Promise<DetectorBox[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CocoReadError(path, 'cannot read the detections file', { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CocoFormatError(path, 'not JSON', { cause });
  }
  if (!Array.isArray(json)) throw new CocoFormatError(path, 'expected a JSON array of COCO bbox results');
  json.forEach((d, i) => {
    try {
      checkDetection(d, i);
    } catch (error) {
      throw new CocoFormatError(path, (error as SampleOptionsError).problem);
    }
  });
  return json as DetectorBox[];
}
