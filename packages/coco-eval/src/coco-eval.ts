import { type Accumulation, accumulatePairs, type Float64Tensor } from './accumulate';
import { EvalOrderError } from './errors';
import { type EvalPlan, PairScratch, pairInput, planEvaluation } from './eval-plan';
import { computePairIou, evaluatePair } from './evaluate-pair';
import { GroundTruth, type GroundTruthLike } from './ground-truth';
import { createMatchBuffers, matchImage } from './match-image';
import { type InstanceMiou, instanceMiou } from './miou';
import { packChunk } from './packed-chunk';
import type { EvalSettings } from './pair-input';
import type { PairTable } from './pair-table';
import { defaultParams, type EvalParams, type IouType, normaliseParams } from './params';
import type { CocoResults } from './results';
import { categoryAp, type Summary, summarizeAccumulation } from './summarize';
import {
  AUTO_WORKER_MIN_PAIRS,
  defaultWorkerCount,
  evaluateInWorkers,
  type WorkerOptions,
} from './worker-pool';

/** pycocotools' evalImgs entry for one (image, category, area range), at maxDets[-1]. */
export interface EvalImage {
  imageId: number;
  /** -1 when useCats is false. */
  categoryId: number;
  areaRange: [number, number];
  maxDet: number;
  /** Detections in score order (cut to maxDet); ids are 1-based positions in the results file. */
  dtIds: number[];
  dtScores: number[];
  /** GT in evaluation order: non-ignored first, then ignored (crowd or outside the area range). */
  gtIds: number[];
  /** [T, D] id of the matched GT, 0 if none. */
  dtMatches: Float64Tensor;
  /** [T, G] id of the matched detection, 0 if none. */
  gtMatches: Float64Tensor;
  gtIgnore: Uint8Array;
  /** [T, D] 1 when ignored. */
  dtIgnore: { data: Uint8Array; dims: number[] };
}

export interface CategoryAp {
  categoryId: number;
  name: string;
  /** Mean precision over IoU thresholds and recall points at area 'all' and the largest maxDets; -1 without GT. */
  ap: number;
}

export interface EvaluateOptions extends WorkerOptions {
  /** Called with 0 once the pairs are planned, then after each finished chunk of (image, category) pairs. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * COCOeval for iouType 'segm' and 'bbox' with pycocotools 2.0.11 semantics: evaluate, accumulate, summarize,
 * plus per-category AP, the precision/recall arrays, per-pair IoU matrices and matches, and mIoU.
 */
export class CocoEval {
  readonly gt: GroundTruth;
  /** Mutable until evaluate(), as in pycocotools; evaluate() stores the normalised copy here. */
  params: EvalParams;
  private plan: EvalPlan | null = null;
  private accumulation: Accumulation | null = null;

  constructor(
    gt: GroundTruth | GroundTruthLike,
    readonly dt: CocoResults,
    iouType: IouType = 'segm',
    params: Partial<Omit<EvalParams, 'iouType'>> = {},
  ) {
    this.gt = gt instanceof GroundTruth ? gt : new GroundTruth(gt);
    this.params = { ...defaultParams(iouType, this.gt.imgIds, this.gt.catIds), ...params, iouType };
  }

  private settings(): EvalSettings {
    return {
      iouType: this.params.iouType,
      iouThrs: this.params.iouThrs,
      areaRng: this.params.areaRng,
      gtSource: this.gt.source,
      dtSource: this.dt.source,
    };
  }

  private prepare(): EvalPlan {
    this.params = normaliseParams(this.params);
    this.accumulation = null;
    this.pairLookup = null;
    return planEvaluation(this.gt, this.dt, this.params);
  }

  /** COCOeval.evaluate on this thread. */
  evaluate(options: Pick<EvaluateOptions, 'onProgress'> = {}): this {
    const plan = this.prepare();
    options.onProgress?.(0, plan.pairs.count);
    const evaluateRange = this.rangeEvaluator(plan, imageOrder(plan.pairs));
    const step = 1000;
    for (let start = 0; start < plan.pairs.count; start += step) {
      const end = Math.min(plan.pairs.count, start + step);
      evaluateRange(start, end);
      options.onProgress?.(end, plan.pairs.count);
    }
    this.plan = plan;
    return this;
  }

  /**
   * Evaluates pairs [start, end) of the plan on this thread, reusing one set of match buffers; with `order`,
   * the pairs order[start] .. order[end - 1] instead (each pair writes only its own part of the plan, so
   * any order gives the same result).
   */
  private rangeEvaluator(
    plan: EvalPlan,
    order: Int32Array | null = null,
  ): (start: number, end: number) => void {
    const settings = this.settings();
    const A = this.params.areaRng.length;
    const T = this.params.iouThrs.length;
    let buffers = createMatchBuffers(T, 128, 64);
    const scratch = new PairScratch();
    return (start, end) => {
      for (let j = start; j < end; j++) {
        const p = order ? order[j] : j;
        const input = pairInput(plan, p, this.gt, this.dt, this.params, scratch);
        buffers = evaluatePair(
          input,
          settings,
          {
            flags: plan.pairs.flags,
            flagsOffset: plan.pairs.dtOffset[p] * A * T,
            bestIou: plan.bestIou,
            bestIouOffset: plan.gtStart[p],
          },
          buffers,
        );
      }
    };
  }

  /**
   * COCOeval.evaluate with the pairs spread over worker threads and this thread (masks decoded, IoU and
   * matching in chunks). Gives exactly what evaluate() gives. `workers`: threads besides this one (0: none);
   * 'auto' (default) uses one per other idle core for inputs of at least AUTO_WORKER_MIN_PAIRS pairs.
   */
  async evaluateAsync(options: EvaluateOptions = {}): Promise<this> {
    const requested = options.workers ?? 'auto';
    const plan = this.prepare();
    const workers =
      requested === 'auto'
        ? plan.pairs.count >= AUTO_WORKER_MIN_PAIRS
          ? defaultWorkerCount()
          : 0
        : requested;
    await evaluateInWorkers(
      plan,
      (id, start, end) => packChunk(id, start, end, plan, this.gt, this.dt, this.params),
      // alone, this thread can take the pairs image by image (workers are sent contiguous ranges)
      this.rangeEvaluator(plan, workers > 0 ? null : imageOrder(plan.pairs)),
      this.settings(),
      Math.max(0, workers),
      options,
    );
    this.plan = plan;
    return this;
  }

  private requirePlan(step: string): EvalPlan {
    if (!this.plan) throw new EvalOrderError(step, 'evaluate');
    return this.plan;
  }

  /** The evaluated pairs in their compact form (for tools that aggregate differently). */
  get pairs(): PairTable {
    return this.requirePlan('pairs').pairs;
  }

  /** Pair index by `${imgId}/${catId}` (catId -1 when useCats is false), built on first lookup. */
  private pairLookup: Map<string, number> | null = null;

  private pairIndex(step: string, imgId: number, catId: number): number {
    const plan = this.requirePlan(step);
    if (!this.pairLookup) {
      this.pairLookup = new Map();
      for (let p = 0; p < plan.pairs.count; p++) {
        const cat = this.params.useCats ? this.params.catIds[plan.pairs.catIndex[p]] : -1;
        this.pairLookup.set(`${this.params.imgIds[plan.pairs.imgIndex[p]]}/${cat}`, p);
      }
    }
    return this.pairLookup.get(`${imgId}/${this.params.useCats ? catId : -1}`) ?? -1;
  }

  /**
   * COCOeval.ious[imgId, catId]: [D, G], rows detections in score order (cut to maxDets[-1]), columns GT in
   * file order. Empty (dims [D, G] with a zero) when either side is empty.
   */
  computeIou(imgId: number, catId: number): Float64Tensor {
    const p = this.pairIndex('computeIou', imgId, catId);
    if (p < 0) return { data: new Float64Array(0), dims: [0, 0] };
    const input = pairInput(this.plan!, p, this.gt, this.dt, this.params);
    const data = computePairIou(input, this.settings());
    return { data, dims: [input.dtIds.length, input.gtIds.length] };
  }

  /** COCOeval.evaluateImg(imgId, catId, areaRng[areaIndex], maxDets[-1]); null where pycocotools has None. */
  evaluateImage(imgId: number, catId: number, areaIndex: number): EvalImage | null {
    const p = this.pairIndex('evaluateImage', imgId, catId);
    if (p < 0) return null;
    const input = pairInput(this.plan!, p, this.gt, this.dt, this.params);
    const ious = computePairIou(input, this.settings());
    const T = this.params.iouThrs.length;
    const D = input.dtIds.length;
    const G = input.gtIds.length;
    const out = createMatchBuffers(T, D, G);
    const [lo, hi] = this.params.areaRng[areaIndex];
    matchImage({ ...input, ious }, lo, hi, this.params.iouThrs, out);
    return {
      imageId: imgId,
      categoryId: this.params.useCats ? catId : -1,
      areaRange: [lo, hi],
      maxDet: this.params.maxDets[this.params.maxDets.length - 1],
      dtIds: Array.from(input.dtIds),
      dtScores: Array.from(input.dtIndices, (r) => this.dt.scores[r]),
      gtIds: Array.from(out.gtOrder.subarray(0, G), (g) => input.gtIds[g]),
      dtMatches: { data: out.dtMatches.slice(0, T * D), dims: [T, D] },
      gtMatches: { data: out.gtMatches.slice(0, T * G), dims: [T, G] },
      gtIgnore: out.gtIgnore.slice(0, G),
      dtIgnore: { data: out.dtIgnore.slice(0, T * D), dims: [T, D] },
    };
  }

  /** COCOeval.accumulate (with the params evaluate() used). */
  accumulate(): Accumulation {
    const plan = this.requirePlan('accumulate');
    this.accumulation = accumulatePairs(plan.pairs, {
      iouThrs: this.params.iouThrs,
      recThrs: this.params.recThrs,
      categories: this.params.useCats ? this.params.catIds.length : 1,
      areaRanges: this.params.areaRng.length,
      maxDets: this.params.maxDets,
    });
    return this.accumulation;
  }

  /** The last accumulate() result (pycocotools' `eval` dict). */
  get eval(): Accumulation {
    if (!this.accumulation) throw new EvalOrderError('eval', 'accumulate');
    return this.accumulation;
  }

  /** COCOeval.summarize: the 12 stats and the printed lines (nothing is printed here). */
  summarize(): Summary {
    if (!this.accumulation) throw new EvalOrderError('summarize', 'accumulate');
    return summarizeAccumulation(this.accumulation, this.params);
  }

  /** AP per category at area 'all' (the first range) and the largest maxDets, in params.catIds order. */
  perCategoryAp(): CategoryAp[] {
    if (!this.accumulation) throw new EvalOrderError('perCategoryAp', 'accumulate');
    const acc = this.accumulation;
    if (!this.params.useCats) return [];
    const areaIndex = Math.max(0, this.params.areaRngLbl.indexOf('all'));
    return this.params.catIds.map((categoryId, k) => ({
      categoryId,
      name: this.gt.categories.get(categoryId)?.name ?? String(categoryId),
      ap: categoryAp(acc, k, areaIndex, this.params.maxDets.length - 1),
    }));
  }

  /** Instance mIoU: see miou.ts. Needs evaluate(). */
  instanceMiou(): InstanceMiou {
    const plan = this.requirePlan('instanceMiou');
    return instanceMiou(plan.gtList, plan.bestIou, this.gt.areas, this.gt.crowd, this.params);
  }
}

/**
 * The pairs image by image (categories in order within an image): the order of the GT and results files,
 * usually, so the masks of consecutive pairs lie near each other in memory; pairs are stored category by
 * category, which visits the parsed JSON all over (decoding the results' masks in this order took a third
 * less time on the COCO-val-sized case).
 */
function imageOrder(pairs: PairTable): Int32Array {
  let images = 0;
  for (let p = 0; p < pairs.count; p++) images = Math.max(images, pairs.imgIndex[p] + 1);
  const start = new Int32Array(images + 1);
  for (let p = 0; p < pairs.count; p++) start[pairs.imgIndex[p] + 1]++;
  for (let i = 0; i < images; i++) start[i + 1] += start[i];
  const order = new Int32Array(pairs.count);
  for (let p = 0; p < pairs.count; p++) order[start[pairs.imgIndex[p]]++] = p;
  return order;
}
