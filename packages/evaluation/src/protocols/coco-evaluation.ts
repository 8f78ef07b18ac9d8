import { join } from 'node:path';
import {
  CocoDataset,
  centerMostPoint,
  decodeMask,
  isCrowd,
  loadImageRgb,
  mergeRles,
  pluralize,
  type Rle,
  randomExteriorPoints,
  randomInteriorPoints,
  rleArea,
  SeededRandom,
} from '@tasam/coco-data';
import type { LoraWeights } from '@tasam/lora';
import {
  type HeadLora,
  ImageFrame,
  maskLogits,
  type Prompt,
  predictHeads,
  type SamRuntime,
  type TrunkOutput,
  upscaleMask,
} from '@tasam/sam-runtime';

/** mIoU overall and by COCO size bucket (area < 32², < 96², larger) with item counts. */
export interface MiouSummary {
  overall: number;
  small: number;
  medium: number;
  large: number;
  count: { overall: number; small: number; medium: number; large: number };
}

export interface EvaluationResult {
  /** (a) 1-click instance mIoU: center-most point, task "segment the {category}", best of masks 1-3 by predicted IoU. */
  oneClick: { plain: MiouSummary; tasam: MiouSummary };
  /** (b) category-mask mIoU: 3 positive + 2 negative points, task "segment all {categories}", mask 0. */
  category: { plain: MiouSummary; tasam: MiouSummary };
  /**
   * (c) box instance mIoU: each instance's ground-truth box, task "segment all {category}" (the grounded mode's
   * task text), mask 0 (single-mask output, as a detector's box is prompted).
   */
  box: { plain: MiouSummary; tasam: MiouSummary };
  images: number;
}

export interface EvaluateOptions {
  coco: string;
  split: string;
  runtime: SamRuntime;
  /** The task LoRA for a task text (e.g. TaskLoraGenerator.generate). */
  loraFor: (task: string) => Promise<LoraWeights | HeadLora>;
  seed?: number;
  /** Leave out the first this many images (by id), e.g. to hold out the tail of a training split. */
  skipImages?: number;
  maxImages?: number;
  onImage?: (done: number, total: number) => void;
}

interface Item {
  kind: 'oneClick' | 'category' | 'box';
  task: string;
  prompt: Prompt;
  target: Rle;
  area: number;
}

class MiouAccumulator {
  private sums = { overall: 0, small: 0, medium: 0, large: 0 };
  private counts = { overall: 0, small: 0, medium: 0, large: 0 };

  add(iou: number, area: number): void {
    const bucket = area < 32 * 32 ? 'small' : area < 96 * 96 ? 'medium' : 'large';
    this.sums.overall += iou;
    this.counts.overall += 1;
    this.sums[bucket] += iou;
    this.counts[bucket] += 1;
  }

  summary(): MiouSummary {
    const mean = (k: keyof typeof this.sums) => (this.counts[k] ? this.sums[k] / this.counts[k] : Number.NaN);
    return {
      overall: mean('overall'),
      small: mean('small'),
      medium: mean('medium'),
      large: mean('large'),
      count: { ...this.counts },
    };
  }
}

function sliceTrunk(trunk: TrunkOutput, i: number): TrunkOutput {
  const up = 32 * 256 * 256;
  return {
    n: 1,
    iouToken: trunk.iouToken.subarray(i * 256, (i + 1) * 256),
    maskTokens: trunk.maskTokens.subarray(i * 1024, (i + 1) * 1024),
    upscaled: trunk.upscaled.subarray(i * up, (i + 1) * up),
  };
}

function maskIou(mask: Uint8Array, target: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let p = 0; p < target.length; p++) {
    const a = mask[p];
    const b = target[p];
    inter += a & b;
    union += a | b;
  }
  return union === 0 ? 1 : inter / union;
}

/** Predicted mask (original size, 1 = inside) for one prompt's trunk output; multimask picks the best of 1-3 by IoU. */
function predict(
  trunk: TrunkOutput,
  weights: ReturnType<SamRuntime['headWeights']>,
  frame: ImageFrame,
  multimask: boolean,
  lora?: HeadLora,
): Uint8Array {
  const { maskWeights, iouPredictions } = predictHeads(trunk, weights, lora);
  let best = 0;
  if (multimask) {
    best = 1;
    for (let k = 2; k < 4; k++) if (iouPredictions[k] > iouPredictions[best]) best = k;
  }
  return upscaleMask(maskLogits(trunk, maskWeights, 0, best), frame).mask;
}

/** A COCO bbox (x, y, w, h) as SAM box corners inside the image, or null for a degenerate box. */
function instanceBox(bbox: readonly number[] | undefined, width: number, height: number) {
  if (bbox?.length !== 4) return null;
  const x0 = Math.max(0, bbox[0]);
  const y0 = Math.max(0, bbox[1]);
  const x1 = Math.min(width, bbox[0] + bbox[2]);
  const y1 = Math.min(height, bbox[1] + bbox[3]);
  return x1 > x0 && y1 > y0 ? ([x0, y0, x1, y1] as [number, number, number, number]) : null;
}

/**
 * Plain SAM vs SAM + task LoRA on a COCO split with the same prompts: (a) 1-click instance mIoU and
 * (b) category-mask mIoU (3 positive + 2 negative points), (c) box instance mIoU, overall and by size. IoU is computed at the
 * original image size after SAM's postprocessing.
 */
export async function evaluateOnCoco(options: EvaluateOptions): Promise<EvaluationResult> {
  const dataset = await CocoDataset.fromFile(
    join(options.coco, 'annotations', `instances_${options.split}.json`),
  );
  const weights = options.runtime.headWeights();
  const acc = {
    oneClick: { plain: new MiouAccumulator(), tasam: new MiouAccumulator() },
    category: { plain: new MiouAccumulator(), tasam: new MiouAccumulator() },
    box: { plain: new MiouAccumulator(), tasam: new MiouAccumulator() },
  };
  let images = [...dataset.images].sort((a, b) => a.id - b.id).slice(options.skipImages ?? 0);
  if (options.maxImages !== undefined) images = images.slice(0, options.maxImages);
  const seed = options.seed ?? 0;
  let done = 0;
  for (const image of images) {
    const annotations = dataset.annotationsOf(image.id);
    const items: Item[] = [];
    const byCategory = new Map<number, { rles: Rle[]; crowd: Rle[] }>();
    for (const ann of annotations) {
      const rle = dataset.annToRle(ann);
      const entry = byCategory.get(ann.category_id) ?? { rles: [], crowd: [] };
      byCategory.set(ann.category_id, entry);
      if (isCrowd(ann)) {
        entry.crowd.push(rle);
        continue;
      }
      if (rleArea(rle) === 0) continue;
      entry.rles.push(rle);
      const point = centerMostPoint(rle);
      if (!point) continue;
      const name = dataset.category(ann.category_id)?.name ?? String(ann.category_id);
      items.push({
        kind: 'oneClick',
        task: `segment the ${name}`,
        prompt: { points: [{ x: point.x, y: point.y, label: 1 }] },
        target: rle,
        area: ann.area ?? rleArea(rle),
      });
      const box = instanceBox(ann.bbox, image.width, image.height);
      if (box)
        items.push({
          kind: 'box',
          task: `segment all ${pluralize(name)}`,
          prompt: { box },
          target: rle,
          area: ann.area ?? rleArea(rle),
        });
    }
    for (const [categoryId, { rles, crowd }] of byCategory) {
      if (rles.length === 0) continue;
      const target = mergeRles(rles);
      const random = new SeededRandom(seed, image.id, categoryId);
      const positives = randomInteriorPoints(target, 3, random);
      const negatives = randomExteriorPoints(
        crowd.length ? mergeRles([target, ...crowd]) : target,
        2,
        random,
      );
      if (positives.length === 0) continue;
      const name = dataset.category(categoryId)?.name ?? String(categoryId);
      items.push({
        kind: 'category',
        task: `segment all ${pluralize(name)}`,
        prompt: {
          points: [
            ...positives.map((p) => ({ x: p.x, y: p.y, label: 1 as const })),
            ...negatives.map((p) => ({ x: p.x, y: p.y, label: 0 as const })),
          ],
        },
        target,
        area: rleArea(target),
      });
    }
    if (items.length > 0) {
      const rgb = await loadImageRgb(join(options.coco, options.split, image.file_name));
      const embedding = await options.runtime.embed(rgb);
      const size = { width: rgb.width, height: rgb.height };
      const frame = new ImageFrame(size);
      const trunk = await options.runtime.trunk(
        embedding,
        items.map((i) => i.prompt),
        size,
      );
      for (const [i, item] of items.entries()) {
        const one = sliceTrunk(trunk, i);
        const gt = decodeMask(item.target);
        const multimask = item.kind === 'oneClick';
        const lora = await options.loraFor(item.task);
        acc[item.kind].plain.add(maskIou(predict(one, weights, frame, multimask), gt), item.area);
        acc[item.kind].tasam.add(maskIou(predict(one, weights, frame, multimask, lora), gt), item.area);
      }
    }
    done += 1;
    options.onImage?.(done, images.length);
  }
  return {
    oneClick: { plain: acc.oneClick.plain.summary(), tasam: acc.oneClick.tasam.summary() },
    category: { plain: acc.category.plain.summary(), tasam: acc.category.tasam.summary() },
    box: { plain: acc.box.plain.summary(), tasam: acc.box.tasam.summary() },
    images: images.length,
  };
}
