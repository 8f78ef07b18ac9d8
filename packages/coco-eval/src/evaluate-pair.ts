import {
  type Bbox,
  bboxIou,
  mergeRles,
  type Rle,
  rleArea,
  rleFromPolygon,
  rleFromSegmentation,
  rleIou,
  rleToBbox,
} from '@tasam/coco-data';
import { CocoEvalInputError } from './errors';
import { MaskRuns, maskRunsIou } from './mask-runs';
import { bestIouPerDetection, ensureMatchBuffers, type MatchBuffers, matchImage } from './match-image';
import type { EvalSettings, MaskSource, PairInput, PairOutput } from './pair-input';
import { IGNORED, MATCHED } from './pair-table';

/**
 * COCO.annToRLE. Packed polygons take frPyObjects' polygon path (one frPoly each, merged) directly when the
 * first has more than 4 values; anything else goes through rleFromSegmentation as JS arrays, so its quirks
 * and errors stay those of @tasam/coco-data.
 */
export function maskOf(source: MaskSource, h: number, w: number): Rle {
  if (typeof source === 'object' && source !== null && 'polygons' in source) {
    const { polygons } = source;
    if (polygons.length > 0 && polygons[0].length > 4) {
      const rles = new Array<Rle>(polygons.length);
      for (let i = 0; i < polygons.length; i++) rles[i] = rleFromPolygon(polygons[i], h, w);
      return mergeRles(rles);
    }
    return rleFromSegmentation(
      polygons.map((p) => Array.from(p)),
      h,
      w,
    );
  }
  return rleFromSegmentation(source, h, w);
}

function gtError(input: PairInput, g: number, settings: EvalSettings, error: unknown): CocoEvalInputError {
  return new CocoEvalInputError(
    settings.gtSource,
    `annotation ${input.gtIds[g]}: ${(error as Error).message}`,
    {
      cause: error,
    },
  );
}

function dtError(input: PairInput, d: number, settings: EvalSettings, error: unknown): CocoEvalInputError {
  return new CocoEvalInputError(
    settings.dtSource,
    `result ${input.dtIndices[d]}: ${(error as Error).message}`,
    { cause: error },
  );
}

/** Scratch masks for computePairIou, one set per thread (each worker loads its own copy of this module). */
const scratch = new MaskRuns();

/**
 * COCOeval.computeIoU for one pair: [D x G], rows detections in score order, columns GT in file order.
 * Fills detection areas and boxes that come from masks along the way (input.dtAreas/dtBoxes). Masks become
 * foreground intervals (MaskRuns); a pair with a mask they do not take is computed with @tasam/coco-data's
 * Rle API instead (computePairIouWithRles), which gives the same numbers and raises for invalid masks.
 */
export function computePairIou(input: PairInput, settings: EvalSettings, reuse = false): Float64Array {
  const D = input.dtIds.length;
  const G = input.gtIds.length;
  const needsMask = settings.iouType === 'segm' || hasNaN(input.dtAreas) || hasNaN(input.dtBoxes);
  if (!needsMask || D === 0) return computePairIouWithRles(input, settings);
  const masks = scratch;
  masks.reset();
  const exact = (source: MaskSource) => maskOf(source, input.height, input.width);
  for (let d = 0; d < D; d++) {
    const source = input.dtSegmentations![d];
    let added: boolean;
    try {
      added = masks.add(source, input.height, input.width, exact);
    } catch (error) {
      throw dtError(input, d, settings, error);
    }
    if (!added) return computePairIouWithRles(input, settings);
  }
  const segm = settings.iouType === 'segm';
  if (segm && G > 0)
    for (let g = 0; g < G; g++) {
      const source = input.gtSegmentations![g];
      let added: boolean;
      try {
        added = masks.add(source, input.height, input.width, exact);
      } catch (error) {
        throw gtError(input, g, settings, error);
      }
      if (!added) return computePairIouWithRles(input, settings);
    }
  for (let d = 0; d < D; d++) {
    if (Number.isNaN(input.dtAreas[d])) input.dtAreas[d] = masks.area[d];
    if (Number.isNaN(input.dtBoxes[d * 4]))
      for (let c = 0; c < 4; c++) input.dtBoxes[d * 4 + c] = masks.box[d * 4 + c];
  }
  if (G === 0) return new Float64Array(0);
  if (!segm) return boxIou(input, D, G);
  let out: Float64Array;
  if (reuse) {
    if (iouScratch.length < D * G) iouScratch = new Float64Array(Math.max(D * G, 2 * iouScratch.length));
    out = iouScratch.subarray(0, D * G);
  } else out = new Float64Array(D * G);
  maskRunsIou(masks, D, G, input.gtCrowd, out);
  return out;
}

/** computePairIou's output for evaluatePair, which uses it before the next pair. */
let iouScratch = new Float64Array(4096);

function hasNaN(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

/** computePairIou through @tasam/coco-data's Rle API (pycocotools' maskApi, one Rle per mask). */
export function computePairIouWithRles(input: PairInput, settings: EvalSettings): Float64Array {
  const D = input.dtIds.length;
  const G = input.gtIds.length;
  let dtRles: Rle[] | null = null;
  const needsMask = settings.iouType === 'segm' || hasNaN(input.dtAreas) || hasNaN(input.dtBoxes);
  if (needsMask && D > 0) {
    dtRles = new Array<Rle>(D);
    for (let d = 0; d < D; d++) {
      let rle: Rle;
      try {
        rle = maskOf(input.dtSegmentations![d], input.height, input.width);
      } catch (error) {
        throw dtError(input, d, settings, error);
      }
      dtRles[d] = rle;
      if (Number.isNaN(input.dtAreas[d])) input.dtAreas[d] = rleArea(rle);
      if (Number.isNaN(input.dtBoxes[d * 4])) input.dtBoxes.set(rleToBbox(rle), d * 4);
    }
  }
  if (D === 0 || G === 0) return new Float64Array(0);
  if (settings.iouType === 'segm') {
    const gtRles = new Array<Rle>(G);
    for (let g = 0; g < G; g++) {
      try {
        gtRles[g] = maskOf(input.gtSegmentations![g], input.height, input.width);
      } catch (error) {
        throw gtError(input, g, settings, error);
      }
    }
    return rleIou(dtRles!, gtRles, input.gtCrowd);
  }
  return boxIou(input, D, G);
}

function boxIou(input: PairInput, D: number, G: number): Float64Array {
  const boxes = (flat: Float64Array, n: number): Bbox[] => {
    const out = new Array<Bbox>(n);
    for (let i = 0; i < n; i++) out[i] = [flat[i * 4], flat[i * 4 + 1], flat[i * 4 + 2], flat[i * 4 + 3]];
    return out;
  };
  return bboxIou(boxes(input.dtBoxes, D), boxes(input.gtBoxes, G), input.gtCrowd);
}

/**
 * Evaluates one pair for every area range (COCOeval.evaluateImg at maxDets[-1]) and writes the compact
 * result: per detection, area range and threshold a MATCHED/IGNORED flag byte; per GT the best IoU of any
 * kept detection (for mIoU; NaN for crowd GT). Returns the reusable match buffers.
 */
export function evaluatePair(
  input: PairInput,
  settings: EvalSettings,
  output: PairOutput,
  buffers: MatchBuffers,
): MatchBuffers {
  const D = input.dtIds.length;
  const G = input.gtIds.length;
  const T = settings.iouThrs.length;
  const ious = computePairIou(input, settings, true);
  const pair = {
    dtIds: input.dtIds,
    dtAreas: input.dtAreas,
    gtIds: input.gtIds,
    gtAreas: input.gtAreas,
    gtCrowd: input.gtCrowd,
    ious,
  };
  const out = ensureMatchBuffers(buffers, T, D, G);
  const A = settings.areaRng.length;
  const rowBest = D > 0 && G > 0 ? bestIouPerDetection(ious, D, G) : undefined;
  for (let a = 0; a < A; a++) {
    const [lo, hi] = settings.areaRng[a];
    matchImage(pair, lo, hi, settings.iouThrs, out, rowBest);
    // Flags of one detection are contiguous ([d][a][t]) so accumulate reads each detection's in one place.
    for (let t = 0; t < T; t++)
      for (let d = 0; d < D; d++) {
        const i = t * D + d;
        output.flags[output.flagsOffset + d * A * T + a * T + t] =
          (out.dtMatches[i] !== 0 ? MATCHED : 0) | (out.dtIgnore[i] ? IGNORED : 0);
      }
  }
  for (let g = 0; g < G; g++) {
    let best = input.gtCrowd[g] ? Number.NaN : 0;
    if (!input.gtCrowd[g]) for (let d = 0; d < D; d++) if (ious[d * G + g] > best) best = ious[d * G + g];
    output.bestIou[output.bestIouOffset + g] = best;
  }
  return out;
}
