import {
  type CategoryMaskMiou,
  CocoEval,
  type CocoResult,
  CocoResults,
  categoryMaskMiou,
  type GroundTruth,
  type InstanceMiou,
} from '@tasam/coco-eval';
import type { GroundedImageResult } from '../protocols/grounded-protocol';
import type { TextImageResult } from '../protocols/text-protocol';

export type TextSetting = 'referring' | 'detection';
export type Method = 'plain' | 'tasam';

/** COCO segm metrics of one (setting, method). */
export interface TextMetrics {
  /** AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (pycocotools order; -1 = undefined). */
  stats: number[];
  lines: string[];
  perCategoryAp: { categoryId: number; name: string; ap: number }[];
  instanceMiou: InstanceMiou;
  categoryMaskMiou: Pick<CategoryMaskMiou, 'miou' | 'scoreThreshold'>;
  /** Precision at the 101 recall points, mean over categories with GT, area all, maxDets 100. */
  prCurve: { recall: number[]; precisionAt50: number[]; precisionMean: number[] };
  results: number;
}

/** An image's masks for a prompted category, by method. */
interface PromptedImage {
  imageId: number;
  present: number[];
}

/** The COCO results of one setting: each image's masks for every prompted category, labelled with it. */
function promptedResults<I extends PromptedImage>(
  images: readonly I[],
  setting: TextSetting,
  catIds: readonly number[],
  masksOf: (image: I, categoryId: number) => readonly { rle: CocoResult['segmentation']; score: number }[],
): CocoResult[] {
  const out: CocoResult[] = [];
  for (const image of images) {
    const prompted = setting === 'referring' ? image.present : catIds;
    for (const categoryId of prompted)
      for (const m of masksOf(image, categoryId))
        out.push({ image_id: image.imageId, category_id: categoryId, score: m.score, segmentation: m.rle });
  }
  return out;
}

/** The COCO results of one (setting, method): plain masks take each prompted category, tasam its own task's. */
export function textResults(
  images: readonly TextImageResult[],
  setting: TextSetting,
  method: Method,
  catIds: readonly number[],
): CocoResult[] {
  return promptedResults(images, setting, catIds, (image, categoryId) =>
    method === 'plain' ? image.plain : (image.tasam[categoryId] ?? []),
  );
}

/** The grounded protocol's COCO results: each method's masks of the category's detections. */
export function groundedResults(
  images: readonly GroundedImageResult[],
  setting: TextSetting,
  method: Method,
  catIds: readonly number[],
): CocoResult[] {
  return promptedResults(images, setting, catIds, (image, categoryId) => image[method][categoryId] ?? []);
}

/** Runs COCOeval (segm) and coco-eval's mIoU helpers on one results list. */
export function textMetrics(
  gt: GroundTruth,
  results: CocoResult[],
  imgIds: number[],
  catIds: number[],
  source: string,
  scoreThreshold: number,
): TextMetrics {
  const dt = new CocoResults(results, 'segm', source, gt);
  const evaluation = new CocoEval(gt, dt, 'segm', { imgIds, catIds });
  evaluation.evaluate();
  const accumulation = evaluation.accumulate();
  const summary = evaluation.summarize();
  const [T, R, K, A, M] = accumulation.precision.dims;
  const precisionAt = (t: number, r: number) => {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < K; k++) {
      const v = accumulation.precision.data[(((t * R + r) * K + k) * A + 0) * M + (M - 1)];
      if (v > -1) {
        sum += v;
        n += 1;
      }
    }
    return n ? sum / n : Number.NaN;
  };
  const recall = evaluation.params.recThrs.slice();
  const precisionAt50 = recall.map((_, r) => precisionAt(0, r));
  const precisionMean = recall.map((_, r) => {
    const values = Array.from({ length: T }, (_, t) => precisionAt(t, r)).filter((v) => !Number.isNaN(v));
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
  });
  const semantic = categoryMaskMiou(gt, dt, { imgIds, catIds, scoreThreshold });
  return {
    stats: summary.stats,
    lines: summary.lines,
    perCategoryAp: evaluation.perCategoryAp(),
    instanceMiou: evaluation.instanceMiou(),
    categoryMaskMiou: { miou: semantic.miou, scoreThreshold: semantic.scoreThreshold },
    prCurve: { recall, precisionAt50, precisionMean },
    results: results.length,
  };
}
