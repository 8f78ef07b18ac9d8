import { mergeRles, type Rle, rleArea, rleFromSegmentation } from '@tasam/coco-data';
import { CocoEvalInputError, EvalParamsError } from './errors';
import type { GroundTruth } from './ground-truth';
import { numpyMean } from './numpy-mean';
import type { EvalParams } from './params';
import type { CocoResults } from './results';

export interface MiouBucket {
  /** Mean IoU over the bucket's GT instances; NaN when the bucket is empty. */
  miou: number;
  instances: number;
}

/** Instance mIoU overall and per area range label (all, small, medium, large by default). */
export type InstanceMiou = Record<string, MiouBucket>;

/**
 * Instance mIoU: for every non-crowd GT instance, the IoU of its best-matching prediction (the highest IoU
 * among the detections of the same image and category, no score threshold, within the maxDets[-1]
 * best-scored that COCOeval keeps; 0 when there is none), averaged over GT instances. Buckets follow
 * params.areaRng by the GT `area` field (both ends inclusive, as COCOeval's area ranges). IoU is mask IoU for
 * segm, box IoU for bbox.
 */
export function instanceMiou(
  gtList: Int32Array,
  bestIou: Float64Array,
  areas: Float64Array,
  crowd: Uint8Array,
  params: EvalParams,
): InstanceMiou {
  const buckets = params.areaRng.map(() => [] as number[]);
  for (let j = 0; j < gtList.length; j++) {
    const g = gtList[j];
    if (crowd[g]) continue;
    const area = areas[g];
    params.areaRng.forEach(([lo, hi], a) => {
      if (area >= lo && area <= hi) buckets[a].push(bestIou[j]);
    });
  }
  const out: InstanceMiou = {};
  params.areaRngLbl.forEach((label, a) => {
    out[label] = {
      miou: buckets[a].length ? numpyMean(buckets[a]) : Number.NaN,
      instances: buckets[a].length,
    };
  });
  return out;
}

export interface CategoryMaskIou {
  categoryId: number;
  name: string;
  /** Pixels in both the GT union and the prediction union, summed over images. */
  intersection: number;
  /** Pixels in either, summed over images. */
  union: number;
  iou: number;
}

export interface CategoryMaskMiou {
  /** Mean of per-category IoU over categories with a non-empty union (NaN if none). */
  miou: number;
  scoreThreshold: number;
  categories: CategoryMaskIou[];
}

export interface CategoryMaskOptions {
  /** Predictions scoring below this are left out of the union (default 0.5). */
  scoreThreshold?: number;
  /** Images to include (default: every GT image). */
  imgIds?: number[];
  /** Categories to include (default: every GT category). */
  catIds?: number[];
}

/**
 * Category-mask mIoU (semantic-segmentation style): per image and category, the union of all GT masks
 * (crowd regions included: they are pixels of that category) against the union of the predicted masks
 * scoring at least `scoreThreshold`; intersections and unions are summed over images per category, IoU =
 * intersection / union, and mIoU is the mean over categories whose union is non-empty (a category only
 * predicted, never present, counts with IoU 0).
 */
export function categoryMaskMiou(
  gt: GroundTruth,
  dt: CocoResults,
  options: CategoryMaskOptions = {},
): CategoryMaskMiou {
  const scoreThreshold = options.scoreThreshold ?? 0.5;
  if (!Number.isFinite(scoreThreshold))
    throw new EvalParamsError('scoreThreshold', 'must be a finite number');
  const imgIds = options.imgIds ?? gt.imgIds;
  const catIds = options.catIds ?? gt.catIds;
  const position = new Map<number, number>();
  for (const [k, id] of catIds.entries()) position.set(id, k);
  const inter = new Float64Array(catIds.length);
  const union = new Float64Array(catIds.length);

  for (const imgId of imgIds) {
    const image = gt.images.get(imgId);
    if (!image) continue;
    const gtByCat = new Map<number, Rle[]>();
    const dtByCat = new Map<number, Rle[]>();
    for (const g of gt.byImage.get(imgId) ?? []) {
      if (!position.has(gt.categoryIds[g])) continue;
      let rle: Rle;
      try {
        rle = rleFromSegmentation(gt.segmentation(g), image.height, image.width);
      } catch (error) {
        throw new CocoEvalInputError(gt.source, `annotation ${gt.ids[g]}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      checkSize(gt.source, `annotation ${gt.ids[g]}`, rle, image.height, image.width);
      push(gtByCat, gt.categoryIds[g], rle);
    }
    for (const d of dt.byImage.get(imgId) ?? []) {
      if (!position.has(dt.categoryIds[d]) || !(dt.scores[d] >= scoreThreshold)) continue;
      let rle: Rle;
      try {
        rle = rleFromSegmentation(dt.segmentation(d), image.height, image.width);
      } catch (error) {
        throw new CocoEvalInputError(dt.source, `result ${d}: ${(error as Error).message}`, { cause: error });
      }
      push(dtByCat, dt.categoryIds[d], rle);
    }
    for (const catId of new Set([...gtByCat.keys(), ...dtByCat.keys()])) {
      const k = position.get(catId)!;
      const g = gtByCat.get(catId);
      const d = dtByCat.get(catId);
      if (g && d) {
        const gu = mergeRles(g);
        const du = mergeRles(d);
        inter[k] += rleArea(mergeRles([gu, du], true));
        union[k] += rleArea(mergeRles([gu, du]));
      } else union[k] += rleArea(mergeRles((g ?? d)!));
    }
  }
  const categories = catIds.map((categoryId, k) => ({
    categoryId,
    name: gt.categories.get(categoryId)?.name ?? String(categoryId),
    intersection: inter[k],
    union: union[k],
    iou: union[k] > 0 ? inter[k] / union[k] : Number.NaN,
  }));
  const present = categories.filter((c) => c.union > 0).map((c) => c.iou);
  return { miou: present.length ? numpyMean(present) : Number.NaN, scoreThreshold, categories };
}

function checkSize(source: string, what: string, rle: Rle, h: number, w: number): void {
  if (rle.h !== h || rle.w !== w)
    throw new CocoEvalInputError(
      source,
      `${what}: mask of size [${rle.h}, ${rle.w}] on an image of [${h}, ${w}]`,
    );
}

function push(map: Map<number, Rle[]>, key: number, rle: Rle): void {
  const list = map.get(key);
  if (list) list.push(rle);
  else map.set(key, [rle]);
}
