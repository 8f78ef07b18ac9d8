import {
  MAX_POLYGON_COORDINATE,
  rleArea,
  rleFromSegmentation,
  rleToBbox,
  type Segmentation,
} from '@tasam/coco-data';
import { describeValue } from '@tasam/errors';
import { CocoEvalInputError, RleSizeError, UnknownImageError } from './errors';
import type { GroundTruth } from './ground-truth';

/** One entry of a COCO results file. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: number[];
  segmentation?: Segmentation;
}

/**
 * Which branch of pycocotools' loadRes the file took, decided by its FIRST result: 'bbox' when it has a
 * non-empty bbox (then every result needs one, and area = w * h even for segm evaluation), 'segm' otherwise
 * (every result needs a mask; area = mask area, bbox = the mask's box).
 */
export type ResultsKind = 'bbox' | 'segm';

/**
 * Detections loaded with pycocotools `COCO.loadRes` semantics: ids are 1-based positions in the file,
 * iscrowd is 0, areas and boxes follow the branch taken. Masks are decoded lazily (during evaluation), so
 * loading a large file costs only its parse and checks.
 */
export class CocoResults {
  readonly count: number;
  readonly ids: Float64Array;
  readonly imageIds: Float64Array;
  readonly categoryIds: Float64Array;
  readonly scores: Float64Array;
  /** loadRes' `area`; NaN for 'segm' results until their mask is decoded (see area()). */
  readonly areas: Float64Array;
  /** [x, y, w, h] per result; NaN for 'segm' results without a bbox until decoded (see bbox()). */
  readonly bboxes: Float64Array;
  /** Height and width of each result's image (masks are rasterised and checked at that size). */
  readonly heights: Int32Array;
  readonly widths: Int32Array;
  /** Indices of results per image id, file order. */
  readonly byImage = new Map<number, number[]>();

  constructor(
    readonly results: readonly CocoResult[],
    readonly kind: ResultsKind,
    readonly source: string,
    gt: GroundTruth,
  ) {
    const n = results.length;
    this.count = n;
    this.ids = new Float64Array(n);
    this.imageIds = new Float64Array(n);
    this.categoryIds = new Float64Array(n);
    this.scores = new Float64Array(n);
    this.areas = new Float64Array(n).fill(Number.NaN);
    this.bboxes = new Float64Array(n * 4).fill(Number.NaN);
    this.heights = new Int32Array(n);
    this.widths = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = results[i];
      const image = gt.images.get(r.image_id);
      if (image) {
        this.heights[i] = image.height;
        this.widths[i] = image.width;
      }
      this.ids[i] = i + 1;
      this.imageIds[i] = r.image_id;
      this.categoryIds[i] = r.category_id;
      this.scores[i] = r.score;
      if (r.bbox && r.bbox.length === 4) for (let j = 0; j < 4; j++) this.bboxes[i * 4 + j] = r.bbox[j];
      if (kind === 'bbox') this.areas[i] = this.bboxes[i * 4 + 2] * this.bboxes[i * 4 + 3];
      const list = this.byImage.get(r.image_id);
      if (list) list.push(i);
      else this.byImage.set(r.image_id, [i]);
    }
  }

  /**
   * The segmentation COCOeval uses for result i: its own, or for box results without one the box polygon
   * [[x1, y1, x1, y2, x2, y2, x2, y1]] as loadRes writes it.
   */
  segmentation(i: number): Segmentation {
    const own = this.results[i].segmentation;
    if (own !== undefined) return own;
    const [x, y, w, h] = this.bboxes.subarray(i * 4, i * 4 + 4);
    return [[x, y, x, y + h, x + w, y + h, x + w, y]];
  }

  /** loadRes' area of result i (decodes the mask of a 'segm' result once). */
  area(i: number): number {
    if (Number.isNaN(this.areas[i])) this.fillFromMask(i);
    return this.areas[i];
  }

  /** loadRes' bbox of result i (the mask's box when the result gave none). */
  bbox(i: number): [number, number, number, number] {
    if (Number.isNaN(this.bboxes[i * 4])) this.fillFromMask(i);
    return Array.from(this.bboxes.subarray(i * 4, i * 4 + 4)) as [number, number, number, number];
  }

  private fillFromMask(i: number): void {
    let rle: ReturnType<typeof rleFromSegmentation>;
    try {
      rle = rleFromSegmentation(this.segmentation(i), this.heights[i], this.widths[i]);
    } catch (cause) {
      // A counts string that does not decode: found here, as pycocotools' loadRes finds it in maskUtils.area.
      throw new CocoEvalInputError(
        this.source,
        `result ${i}: bad segmentation: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    // Runs must cover the image exactly: pycocotools' IoU loop spins forever on ones that do not.
    let pixels = 0;
    for (const run of rle.counts) pixels += run;
    if (pixels !== this.heights[i] * this.widths[i]) {
      throw new CocoEvalInputError(
        this.source,
        `result ${i}: RLE counts cover ${pixels} pixels, expected height x width = ` +
          `${this.heights[i]} x ${this.widths[i]} = ${this.heights[i] * this.widths[i]}`,
      );
    }
    if (Number.isNaN(this.areas[i])) this.areas[i] = rleArea(rle);
    if (Number.isNaN(this.bboxes[i * 4])) this.bboxes.set(rleToBbox(rle), i * 4);
  }
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A coordinate pycocotools can rasterise (its int32 5x grid). */
const isCoordinate = (v: unknown): v is number => isFiniteNumber(v) && Math.abs(v) <= MAX_POLYGON_COORDINATE;

function checkBox(source: string, i: number, box: unknown): void {
  if (!Array.isArray(box) || box.length !== 4 || !box.every(isFiniteNumber))
    throw new CocoEvalInputError(
      source,
      `result ${i}: bbox must be [x, y, width, height], got ${describeValue(box)}`,
    );
  // segm evaluation rasterises a box result as the polygon of its corners.
  const [x, y, w, h] = box as number[];
  if (![x, y, x + w, y + h].every(isCoordinate))
    throw new CocoEvalInputError(
      source,
      `result ${i}: bbox [${box.join(', ')}] has a corner beyond the ±${MAX_POLYGON_COORDINATE} pycocotools can rasterise`,
    );
}

function checkSegmentation(source: string, i: number, seg: unknown, gt: GroundTruth, imageId: number): void {
  const image = gt.images.get(imageId)!;
  if (Array.isArray(seg)) {
    if (seg.length === 0 || !seg.every((poly) => Array.isArray(poly) && poly.every(isFiniteNumber)))
      throw new CocoEvalInputError(
        source,
        `result ${i}: segmentation must be an RLE { size, counts } or a list of polygons, got ${describeValue(seg)}`,
      );
    // pycocotools' frPyObjects takes a first polygon of 4 values or fewer for a list of boxes and fails.
    if (seg[0].length <= 4)
      throw new CocoEvalInputError(
        source,
        `result ${i}: the first polygon has ${seg[0].length} values; at least 6 (3 points) are needed`,
      );
    if (!seg.every((poly: unknown[]) => poly.every(isCoordinate)))
      throw new CocoEvalInputError(
        source,
        `result ${i}: a polygon has a coordinate beyond the ±${MAX_POLYGON_COORDINATE} pycocotools can rasterise`,
      );
    return;
  }
  if (typeof seg !== 'object' || seg === null || !('counts' in seg) || !('size' in seg))
    throw new CocoEvalInputError(
      source,
      `result ${i}: segmentation must be an RLE { size: [h, w], counts }, got ${describeValue(seg)}`,
    );
  const { size, counts } = seg as { size: unknown; counts: unknown };
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v)))
    throw new CocoEvalInputError(
      source,
      `result ${i}: RLE size must be [height, width], got ${describeValue(size)}`,
    );
  if (
    typeof counts !== 'string' &&
    !(Array.isArray(counts) && counts.every((c) => Number.isInteger(c) && c >= 0 && c <= 0xffffffff))
  )
    throw new CocoEvalInputError(
      source,
      `result ${i}: RLE counts must be a COCO counts string (or a list of run lengths in 0..2^32-1), got ${describeValue(counts)}`,
    );
  if (size[0] !== image.height || size[1] !== image.width)
    throw new RleSizeError(source, i, imageId, [size[0], size[1]], [image.height, image.width]);
}

/**
 * pycocotools `COCO.loadRes` for bbox and segm results, with typed errors where pycocotools would fail late
 * or silently: the value must be an array of objects with numeric image_id, category_id and finite score;
 * every image must exist in the ground truth; masks must be RLEs (or polygons) of their image's size.
 * Categories absent from the ground truth are allowed (COCOeval never looks at them). An empty array is
 * accepted as "no detections" (pycocotools fails on it).
 */
export function loadResults(gt: GroundTruth, json: unknown, source = 'results'): CocoResults {
  if (!Array.isArray(json))
    throw new CocoEvalInputError(
      source,
      `expected a JSON array of result objects, got ${describeValue(json)}`,
    );
  const unknownImages = new Set<number>();
  let firstUnknown = -1;
  for (let i = 0; i < json.length; i++) {
    const r = json[i] as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw new CocoEvalInputError(source, `result ${i} is ${describeValue(r)}, not an object`);
    if (!isFiniteNumber(r.image_id))
      throw new CocoEvalInputError(source, `result ${i} has no numeric image_id`);
    if (!isFiniteNumber(r.category_id))
      throw new CocoEvalInputError(source, `result ${i} has no numeric category_id`);
    if (!isFiniteNumber(r.score))
      throw new CocoEvalInputError(
        source,
        `result ${i}: score must be a finite number, got ${describeValue(r.score)}`,
      );
    if (!gt.images.has(r.image_id)) {
      if (firstUnknown < 0) firstUnknown = i;
      unknownImages.add(r.image_id);
    }
  }
  if (unknownImages.size > 0) throw new UnknownImageError(source, [...unknownImages], firstUnknown);
  const results = json as CocoResult[];
  const first = results[0];
  const kind: ResultsKind =
    first !== undefined && first.bbox !== undefined && !(Array.isArray(first.bbox) && first.bbox.length === 0)
      ? 'bbox'
      : 'segm';
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (kind === 'bbox') {
      if (r.bbox === undefined)
        throw new CocoEvalInputError(
          source,
          `result ${i} has no bbox, but result 0 has one, so every result needs one`,
        );
      checkBox(source, i, r.bbox);
      if (r.segmentation !== undefined) checkSegmentation(source, i, r.segmentation, gt, r.image_id);
    } else {
      if (r.segmentation === undefined)
        throw new CocoEvalInputError(
          source,
          `result ${i} has neither a bbox nor a segmentation (result 0 has no bbox, so every result needs a segmentation)`,
        );
      checkSegmentation(source, i, r.segmentation, gt, r.image_id);
      // an empty bbox is as good as none: the mask's box is used
      if (r.bbox !== undefined && !(Array.isArray(r.bbox) && r.bbox.length === 0))
        checkBox(source, i, r.bbox);
    }
  }
  return new CocoResults(results, kind, source, gt);
}
