import type { CompressedRle, Segmentation, UncompressedRle } from '@tasam/coco-data';
import type { EvalPlan } from './eval-plan';
import type { GroundTruth } from './ground-truth';
import type { MaskSource, PairInput } from './pair-input';
import type { EvalParams } from './params';
import type { CocoResults } from './results';

// Structured clone of nested JS arrays (COCO polygons) costs about a third of evaluating them, so a chunk of
// pairs travels to a worker as a few flat typed arrays (transferred, not copied) plus the counts strings.

enum SegKind {
  None = 0,
  Polygons = 1,
  Compressed = 2,
  Uncompressed = 3,
  /** Anything else: sent as is, so the worker raises the same error evaluating it here would. */
  Raw = 4,
}

/** A chunk of pairs [start, start + count) packed for postMessage. */
export interface PackedChunk {
  id: number;
  count: number;
  iouType: 'segm' | 'bbox';
  /** Per pair: height, width, G, D. */
  pairInfo: Int32Array;
  /** Per pair: offset into the shared flags, offset into the shared best-IoU array. */
  offsets: Float64Array;
  gtIds: Float64Array;
  gtAreas: Float64Array;
  gtCrowd: Uint8Array;
  gtBoxes: Float64Array;
  dtIds: Float64Array;
  dtAreas: Float64Array;
  dtBoxes: Float64Array;
  dtIndices: Int32Array;
  /** Per segmentation slot (each GT, then each detection, pair by pair): its kind. */
  segKind: Uint8Array;
  /** Per slot: RLE height, width. */
  segSize: Float64Array;
  /** Per slot: number of polygons (Polygons) or of counts (Uncompressed). */
  segLength: Int32Array;
  polygonLengths: Int32Array;
  coords: Float64Array;
  runs: Float64Array;
  strings: string[];
  raws: unknown[];
}

const isNumberArray = (value: unknown): value is number[] => {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'number') return false;
  return true;
};

/** How a segmentation travels, decided in a first pass so that the second copies into exact-size arrays. */
function kindOf(seg: Segmentation | null): SegKind {
  if (seg === null || seg === undefined) return SegKind.None;
  if (Array.isArray(seg)) return seg.length > 0 && seg.every(isNumberArray) ? SegKind.Polygons : SegKind.Raw;
  if (typeof seg !== 'object' || !Array.isArray(seg.size) || seg.size.length !== 2) return SegKind.Raw;
  if (typeof seg.size[0] !== 'number' || typeof seg.size[1] !== 'number') return SegKind.Raw;
  if (typeof seg.counts === 'string') return SegKind.Compressed;
  return isNumberArray(seg.counts) ? SegKind.Uncompressed : SegKind.Raw;
}

type PackedSegmentations = Pick<
  PackedChunk,
  'segKind' | 'segSize' | 'segLength' | 'polygonLengths' | 'coords' | 'runs' | 'strings' | 'raws'
>;

function packSegmentations(segs: (Segmentation | null)[]): PackedSegmentations {
  const n = segs.length;
  const segKind = new Uint8Array(n);
  let polygons = 0;
  let coordCount = 0;
  let runCount = 0;
  for (let s = 0; s < n; s++) {
    const seg = segs[s];
    const kind = kindOf(seg);
    segKind[s] = kind;
    if (kind === SegKind.Polygons)
      for (const polygon of seg as number[][]) {
        polygons++;
        coordCount += polygon.length;
      }
    else if (kind === SegKind.Uncompressed) runCount += (seg as UncompressedRle).counts.length;
  }
  const out: PackedSegmentations = {
    segKind,
    segSize: new Float64Array(n * 2),
    segLength: new Int32Array(n),
    polygonLengths: new Int32Array(polygons),
    coords: new Float64Array(coordCount),
    runs: new Float64Array(runCount),
    strings: [],
    raws: [],
  };
  let polygon = 0;
  let coord = 0;
  let run = 0;
  for (let s = 0; s < n; s++) {
    const seg = segs[s];
    switch (segKind[s]) {
      case SegKind.Polygons:
        out.segLength[s] = (seg as number[][]).length;
        for (const xy of seg as number[][]) {
          out.polygonLengths[polygon++] = xy.length;
          out.coords.set(xy, coord);
          coord += xy.length;
        }
        break;
      case SegKind.Compressed:
      case SegKind.Uncompressed: {
        const rle = seg as CompressedRle | UncompressedRle;
        out.segSize[s * 2] = rle.size[0];
        out.segSize[s * 2 + 1] = rle.size[1];
        if (typeof rle.counts === 'string') out.strings.push(rle.counts);
        else {
          out.segLength[s] = rle.counts.length;
          out.runs.set(rle.counts, run);
          run += rle.counts.length;
        }
        break;
      }
      case SegKind.Raw:
        out.raws.push(seg);
        break;
    }
  }
  return out;
}

/** Packs pairs [start, end) of the plan. */
export function packChunk(
  id: number,
  start: number,
  end: number,
  plan: EvalPlan,
  gt: GroundTruth,
  dt: CocoResults,
  params: EvalParams,
): PackedChunk {
  const { pairs } = plan;
  const iouType = params.iouType;
  const A = params.areaRng.length;
  const T = params.iouThrs.length;
  const count = end - start;
  const gtFrom = plan.gtStart[start];
  const gtTo = plan.gtStart[end];
  const dtFrom = pairs.dtOffset[start];
  const dtTo = pairs.dtOffset[end];
  const nG = gtTo - gtFrom;
  const nD = dtTo - dtFrom;
  const chunk: PackedChunk = {
    id,
    count,
    iouType,
    pairInfo: new Int32Array(count * 4),
    offsets: new Float64Array(count * 2),
    gtIds: new Float64Array(nG),
    gtAreas: new Float64Array(nG),
    gtCrowd: new Uint8Array(nG),
    gtBoxes: new Float64Array(nG * 4),
    dtIds: new Float64Array(nD),
    dtAreas: new Float64Array(nD),
    dtBoxes: new Float64Array(nD * 4),
    dtIndices: new Int32Array(nD),
    // filled by packSegmentations below
    segKind: new Uint8Array(0),
    segSize: new Float64Array(0),
    segLength: new Int32Array(0),
    polygonLengths: new Int32Array(0),
    coords: new Float64Array(0),
    runs: new Float64Array(0),
    strings: [],
    raws: [],
  };
  // Each GT, then each detection, pair by pair (null where no mask is needed).
  const segs: (Segmentation | null)[] = [];

  for (let p = start; p < end; p++) {
    const q = p - start;
    const image = gt.images.get(params.imgIds[pairs.imgIndex[p]])!;
    const G = plan.gtStart[p + 1] - plan.gtStart[p];
    const D = pairs.dtCount[p];
    chunk.pairInfo[q * 4] = image.height;
    chunk.pairInfo[q * 4 + 1] = image.width;
    chunk.pairInfo[q * 4 + 2] = G;
    chunk.pairInfo[q * 4 + 3] = D;
    chunk.offsets[q * 2] = pairs.dtOffset[p] * A * T;
    chunk.offsets[q * 2 + 1] = plan.gtStart[p];
    for (let j = plan.gtStart[p]; j < plan.gtStart[p + 1]; j++) {
      const a = plan.gtList[j];
      const o = j - gtFrom;
      chunk.gtIds[o] = gt.ids[a];
      chunk.gtAreas[o] = gt.areas[a];
      chunk.gtCrowd[o] = gt.crowd[a];
      if (iouType === 'bbox') {
        gt.checkedBox(a);
        for (let c = 0; c < 4; c++) chunk.gtBoxes[o * 4 + c] = gt.bboxes[a * 4 + c];
        segs.push(null);
      } else segs.push(gt.segmentation(a));
    }
    for (let j = pairs.dtOffset[p]; j < pairs.dtOffset[p + 1]; j++) {
      const r = plan.dtList[j];
      const o = j - dtFrom;
      chunk.dtIds[o] = dt.ids[r];
      chunk.dtAreas[o] = dt.areas[r];
      for (let c = 0; c < 4; c++) chunk.dtBoxes[o * 4 + c] = dt.bboxes[r * 4 + c];
      chunk.dtIndices[o] = r;
      const needsMask = iouType === 'segm' || Number.isNaN(dt.areas[r]) || Number.isNaN(dt.bboxes[r * 4]);
      segs.push(needsMask ? dt.segmentation(r) : null);
    }
  }
  return Object.assign(chunk, packSegmentations(segs));
}

/** The typed arrays of a chunk, to transfer instead of copy. */
export function chunkTransferList(chunk: PackedChunk): ArrayBuffer[] {
  return [
    chunk.pairInfo,
    chunk.offsets,
    chunk.gtIds,
    chunk.gtAreas,
    chunk.gtCrowd,
    chunk.gtBoxes,
    chunk.dtIds,
    chunk.dtAreas,
    chunk.dtBoxes,
    chunk.dtIndices,
    chunk.segKind,
    chunk.segSize,
    chunk.segLength,
    chunk.polygonLengths,
    chunk.coords,
    chunk.runs,
  ].map((array) => array.buffer as ArrayBuffer);
}

/** Rebuilds the chunk's pairs as PairInputs (in a worker), with their shared-buffer offsets. */
export function unpackChunk(chunk: PackedChunk): {
  inputs: PairInput[];
  flagsOffsets: number[];
  bestIouOffsets: number[];
} {
  const inputs: PairInput[] = [];
  const flagsOffsets: number[] = [];
  const bestIouOffsets: number[] = [];
  let slot = 0;
  let polygon = 0;
  let coord = 0;
  let run = 0;
  let stringIndex = 0;
  let rawIndex = 0;
  const unpackSegmentation = (): MaskSource | null => {
    const s = slot++;
    switch (chunk.segKind[s]) {
      case SegKind.Polygons: {
        const polygons = new Array<Float64Array>(chunk.segLength[s]);
        for (let i = 0; i < polygons.length; i++) {
          const n = chunk.polygonLengths[polygon++];
          polygons[i] = chunk.coords.subarray(coord, coord + n);
          coord += n;
        }
        return { polygons };
      }
      case SegKind.Compressed:
        return {
          size: [chunk.segSize[s * 2], chunk.segSize[s * 2 + 1]],
          counts: chunk.strings[stringIndex++],
        };
      case SegKind.Uncompressed: {
        const n = chunk.segLength[s];
        const counts = Array.from(chunk.runs.subarray(run, run + n));
        run += n;
        return { size: [chunk.segSize[s * 2], chunk.segSize[s * 2 + 1]], counts };
      }
      case SegKind.Raw:
        return chunk.raws[rawIndex++] as Segmentation;
      default:
        return null;
    }
  };
  let g0 = 0;
  let d0 = 0;
  for (let q = 0; q < chunk.count; q++) {
    const [height, width, G, D] = chunk.pairInfo.subarray(q * 4, q * 4 + 4);
    const gtSegmentations: MaskSource[] = [];
    for (let g = 0; g < G; g++) {
      const seg = unpackSegmentation();
      if (seg) gtSegmentations.push(seg);
    }
    const dtSegmentations: MaskSource[] = [];
    for (let d = 0; d < D; d++) {
      const seg = unpackSegmentation();
      if (seg) dtSegmentations.push(seg);
    }
    inputs.push({
      height,
      width,
      gtIds: chunk.gtIds.subarray(g0, g0 + G),
      gtAreas: chunk.gtAreas.subarray(g0, g0 + G),
      gtCrowd: chunk.gtCrowd.subarray(g0, g0 + G),
      gtBoxes: chunk.gtBoxes.subarray(g0 * 4, (g0 + G) * 4),
      gtSegmentations: chunk.iouType === 'segm' ? gtSegmentations : null,
      dtIds: chunk.dtIds.subarray(d0, d0 + D),
      dtAreas: chunk.dtAreas.subarray(d0, d0 + D),
      dtBoxes: chunk.dtBoxes.subarray(d0 * 4, (d0 + D) * 4),
      dtSegmentations: dtSegmentations.length === D && D > 0 ? dtSegmentations : null,
      dtIndices: chunk.dtIndices.subarray(d0, d0 + D),
    });
    flagsOffsets.push(chunk.offsets[q * 2]);
    bestIouOffsets.push(chunk.offsets[q * 2 + 1]);
    g0 += G;
    d0 += D;
  }
  return { inputs, flagsOffsets, bestIouOffsets };
}
