import type { Bbox, Segmentation } from '@tasam/coco-data';
import { describeValue } from '@tasam/errors';
import { CocoEvalInputError } from './errors';

export interface GtImage {
  id: number;
  height: number;
  width: number;
}

export interface GtAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** Decides the area range of a GT (pycocotools uses this field, not the mask area); required. */
  area?: number;
  iscrowd?: number | boolean;
  /** Required for bbox evaluation. */
  bbox?: Bbox | number[];
  /** Required for segm evaluation. */
  segmentation?: Segmentation;
}

export interface GtCategory {
  id: number;
  name: string;
}

/** What COCOeval reads of a ground truth: @tasam/coco-data's CocoDataset, or a parsed COCO instances file. */
export interface GroundTruthLike {
  images: readonly GtImage[];
  annotations: readonly GtAnnotation[];
  categories: readonly GtCategory[];
}

/**
 * The ground truth in flat arrays, checked once: per annotation its id, image, category, area, crowd flag and
 * box; annotations grouped by image in file order (pycocotools' imgToAnns).
 */
export class GroundTruth {
  readonly count: number;
  readonly ids: Float64Array;
  readonly imageIds: Float64Array;
  readonly categoryIds: Float64Array;
  readonly areas: Float64Array;
  readonly crowd: Uint8Array;
  readonly bboxes: Float64Array;
  readonly images = new Map<number, GtImage>();
  readonly categories = new Map<number, GtCategory>();
  /** Annotation indices per image id, file order. */
  readonly byImage = new Map<number, number[]>();
  /** Sorted ids of every image and category (pycocotools' default params). */
  readonly imgIds: number[];
  readonly catIds: number[];

  /** The file (or label) errors name: `source` if given, else the dataset's own (CocoDataset has one). */
  readonly source: string;

  constructor(
    readonly dataset: GroundTruthLike,
    label?: string,
  ) {
    const source = label ?? (dataset as { source?: string }).source ?? 'ground truth';
    this.source = source;
    const { images, annotations, categories } = dataset;
    if (!Array.isArray(images)) throw new CocoEvalInputError(source, 'has no "images" array');
    if (!Array.isArray(annotations)) throw new CocoEvalInputError(source, 'has no "annotations" array');
    if (!Array.isArray(categories)) throw new CocoEvalInputError(source, 'has no "categories" array');
    images.forEach((image, i) => {
      if (typeof image !== 'object' || image === null || !isInt(image.id))
        throw new CocoEvalInputError(source, `images[${i}] has no integer id`);
      if (!isCount(image.height) || !isCount(image.width))
        throw new CocoEvalInputError(source, `image ${image.id} needs integer height and width`);
      this.images.set(image.id, image);
    });
    categories.forEach((category, i) => {
      if (typeof category !== 'object' || category === null || !isInt(category.id))
        throw new CocoEvalInputError(source, `categories[${i}] has no integer id`);
      this.categories.set(category.id, category);
    });
    const n = annotations.length;
    this.count = n;
    this.ids = new Float64Array(n);
    this.imageIds = new Float64Array(n);
    this.categoryIds = new Float64Array(n);
    this.areas = new Float64Array(n);
    this.crowd = new Uint8Array(n);
    this.bboxes = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      const ann = annotations[i];
      const where = `annotations[${i}]`;
      if (typeof ann !== 'object' || ann === null)
        throw new CocoEvalInputError(source, `${where} is ${describeValue(ann)}`);
      if (typeof ann.id !== 'number') throw new CocoEvalInputError(source, `${where} has no numeric id`);
      if (!this.images.has(ann.image_id))
        throw new CocoEvalInputError(
          source,
          `${where} (id ${ann.id}) names image ${describeValue(ann.image_id)}, which is not in "images"`,
        );
      if (typeof ann.category_id !== 'number')
        throw new CocoEvalInputError(source, `${where} (id ${ann.id}) has no numeric category_id`);
      if (typeof ann.area !== 'number' || Number.isNaN(ann.area))
        throw new CocoEvalInputError(source, `${where} (id ${ann.id}) has no numeric area`);
      this.ids[i] = ann.id;
      this.imageIds[i] = ann.image_id;
      this.categoryIds[i] = ann.category_id;
      this.areas[i] = ann.area;
      this.crowd[i] = ann.iscrowd ? 1 : 0;
      const box = ann.bbox;
      if (Array.isArray(box) && box.length === 4 && box.every((v) => typeof v === 'number'))
        for (let j = 0; j < 4; j++) this.bboxes[i * 4 + j] = box[j];
      else this.bboxes.fill(Number.NaN, i * 4, i * 4 + 4);
      const list = this.byImage.get(ann.image_id);
      if (list) list.push(i);
      else this.byImage.set(ann.image_id, [i]);
    }
    this.imgIds = Array.from(this.images.keys()).sort((a, b) => a - b);
    this.catIds = Array.from(this.categories.keys()).sort((a, b) => a - b);
  }

  /** Annotation i's segmentation, or a typed error naming it when it has none. */
  segmentation(i: number): Segmentation {
    const seg = this.dataset.annotations[i].segmentation;
    if (seg === undefined || seg === null)
      throw new CocoEvalInputError(this.source, `annotation ${this.ids[i]} has no segmentation`);
    return seg;
  }

  /** Throws a typed error naming annotation i when its bbox field was missing or malformed. */
  checkedBox(i: number): void {
    if (Number.isNaN(this.bboxes[i * 4]))
      throw new CocoEvalInputError(this.source, `annotation ${this.ids[i]} has no bbox [x, y, w, h]`);
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isCount = (v: unknown): v is number => isInt(v) && v >= 0;
