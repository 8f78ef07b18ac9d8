import type { Segmentation } from '@tasam/coco-data';
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

/** Float64 storage that doubles when full. */
class Float64Builder {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(16, capacity));
  }
  reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    const next = new Float64Array(Math.max(this.data.length * 2, this.length + n));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** Appends numbers; false (and nothing appended) if one is not a number. */
  append(values: readonly unknown[]): boolean {
    const n = values.length;
    this.reserve(n);
    const data = this.data;
    const base = this.length;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return false;
      data[base + i] = v;
    }
    this.length += n;
    return true;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
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
    segKind: new Uint8Array(nG + nD),
    segSize: new Float64Array((nG + nD) * 2),
    segLength: new Int32Array(nG + nD),
    polygonLengths: new Int32Array(0),
    coords: new Float64Array(0),
    runs: new Float64Array(0),
    strings: [],
    raws: [],
  };
  const polygonLengths: number[] = [];
  const coords = new Float64Builder(nG * 128);
  const runs = new Float64Builder(16);
  let slot = 0;
  const packSegmentation = (seg: Segmentation | undefined | null) => {
    const s = slot++;
    if (seg === undefined || seg === null) {
      chunk.segKind[s] = SegKind.None;
      return;
    }
    if (Array.isArray(seg)) {
      const coordsMark = coords.length;
      const lengthsMark = polygonLengths.length;
      let ok = true;
      for (const polygon of seg) {
        if (!Array.isArray(polygon) || !coords.append(polygon)) {
          ok = false;
          break;
        }
        polygonLengths.push(polygon.length);
      }
      if (ok) {
        chunk.segKind[s] = SegKind.Polygons;
        chunk.segLength[s] = seg.length;
        return;
      }
      coords.length = coordsMark;
      polygonLengths.length = lengthsMark;
    } else if (typeof seg === 'object' && Array.isArray(seg.size) && seg.size.length === 2) {
      const [h, w] = seg.size;
      if (typeof h === 'number' && typeof w === 'number') {
        if (typeof seg.counts === 'string') {
          chunk.segKind[s] = SegKind.Compressed;
          chunk.segSize[s * 2] = h;
          chunk.segSize[s * 2 + 1] = w;
          chunk.strings.push(seg.counts);
          return;
        }
        if (Array.isArray(seg.counts) && runs.append(seg.counts)) {
          chunk.segKind[s] = SegKind.Uncompressed;
          chunk.segSize[s * 2] = h;
          chunk.segSize[s * 2 + 1] = w;
          chunk.segLength[s] = seg.counts.length;
          return;
        }
      }
    }
    chunk.segKind[s] = SegKind.Raw;
    chunk.raws.push(seg);
  };

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
        packSegmentation(null);
      } else packSegmentation(gt.segmentation(a));
    }
    for (let j = pairs.dtOffset[p]; j < pairs.dtOffset[p + 1]; j++) {
      const r = plan.dtList[j];
      const o = j - dtFrom;
      chunk.dtIds[o] = dt.ids[r];
      chunk.dtAreas[o] = dt.areas[r];
      for (let c = 0; c < 4; c++) chunk.dtBoxes[o * 4 + c] = dt.bboxes[r * 4 + c];
      chunk.dtIndices[o] = r;
      const needsMask = iouType === 'segm' || Number.isNaN(dt.areas[r]) || Number.isNaN(dt.bboxes[r * 4]);
      packSegmentation(needsMask ? dt.segmentation(r) : null);
    }
  }
  chunk.polygonLengths = Int32Array.from(polygonLengths);
  chunk.coords = coords.done();
  chunk.runs = runs.done();
  return chunk;
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
