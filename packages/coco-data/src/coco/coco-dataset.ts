import { describeValue } from '@tasam/errors';
import { CocoFormatError } from '../errors';
import { decodeMask, type Rle, rleFromSegmentation } from '../mask';
import { type ReadJsonOptions, readJsonFile } from './read-json-file';
import type { CocoAnnotation, CocoCategory, CocoImage, CocoInstances, CocoLicense } from './types';
import { type CocoIndexes, type CocoProblem, checkCocoInstances, validateCocoInstances } from './validate';

/** Filters for annotation queries, as pycocotools' getAnnIds. */
export interface AnnotationQuery {
  imageIds?: readonly number[];
  categoryIds?: readonly number[];
  /** Inclusive [min, max] of the `area` field. */
  areaRange?: readonly [number, number];
  iscrowd?: boolean;
}

/**
 * A validated, indexed COCO instances file (what pycocotools' `COCO` class is): images, annotations and
 * categories by id, annotations per image and per category, and annotation masks as Rle. The parsed arrays
 * are kept as they are (no copies), so memory stays close to that of the parsed JSON.
 */
export class CocoDataset {
  readonly images: readonly CocoImage[];
  readonly annotations: readonly CocoAnnotation[];
  readonly categories: readonly CocoCategory[];
  readonly licenses: readonly CocoLicense[];
  readonly info: unknown;
  private readonly imageById: Map<number, CocoImage>;
  private readonly annotationById: Map<number, CocoAnnotation>;
  private readonly categoryById: Map<number, CocoCategory>;
  private readonly annotationsByImage = new Map<number, CocoAnnotation[]>();
  private readonly imageIdsByCategory = new Map<number, number[]>();

  private constructor(
    json: CocoInstances,
    /** The file (or a label) the data came from; errors name it. */
    readonly source: string,
    indexes: CocoIndexes,
  ) {
    this.images = json.images;
    this.annotations = json.annotations;
    this.categories = json.categories;
    this.licenses = Array.isArray(json.licenses) ? json.licenses : [];
    this.info = json.info;
    this.imageById = indexes.imageById;
    this.annotationById = indexes.annotationById;
    this.categoryById = indexes.categoryById;
    for (const image of this.images) this.annotationsByImage.set(image.id, []);
    for (const category of this.categories) this.imageIdsByCategory.set(category.id, []);
    for (const annotation of this.annotations) {
      this.annotationsByImage.get(annotation.image_id)!.push(annotation);
      const imageIds = this.imageIdsByCategory.get(annotation.category_id)!;
      if (imageIds[imageIds.length - 1] !== annotation.image_id) imageIds.push(annotation.image_id);
    }
    // Annotations of one image are not always contiguous in the file: make the image lists sets.
    for (const [id, imageIds] of this.imageIdsByCategory) {
      this.imageIdsByCategory.set(
        id,
        [...new Set(imageIds)].sort((a, b) => a - b),
      );
    }
  }

  /**
   * Reads, validates and indexes an instances file. Big files are streamed (see readJsonFile); progress is
   * reported through `onProgress`. Throws CocoReadError when the file cannot be read and CocoFormatError
   * (naming the file, the annotation id and the problem) when it is malformed.
   */
  static async fromFile(path: string, options: ReadJsonOptions = {}): Promise<CocoDataset> {
    const json = await readJsonFile(path, options);
    return CocoDataset.fromJson(json, path);
  }

  /** Validates and indexes parsed JSON; `source` names it in errors. */
  static fromJson(json: unknown, source = '<json>'): CocoDataset {
    const { problems, ...indexes } = checkCocoInstances(json, 20);
    if (problems.length > 0) throw problemsError(problems, source);
    return new CocoDataset(json as CocoInstances, source, indexes);
  }

  /** Problems with parsed JSON, without throwing (empty when it is a good instances file). */
  static validate(json: unknown, maxProblems = 100): CocoProblem[] {
    return validateCocoInstances(json, { maxProblems });
  }

  image(id: number): CocoImage | undefined {
    return this.imageById.get(id);
  }

  annotation(id: number): CocoAnnotation | undefined {
    return this.annotationById.get(id);
  }

  category(id: number): CocoCategory | undefined {
    return this.categoryById.get(id);
  }

  /** Annotations of an image, in file order (empty for unknown ids). */
  annotationsOf(imageId: number): readonly CocoAnnotation[] {
    return this.annotationsByImage.get(imageId) ?? [];
  }

  /** Ids of the annotations that pass every given filter (pycocotools getAnnIds), in file order. */
  annotationIds(query: AnnotationQuery = {}): number[] {
    const source = query.imageIds
      ? query.imageIds.flatMap((id) => this.annotationsByImage.get(id) ?? [])
      : this.annotations;
    const categories = query.categoryIds ? new Set(query.categoryIds) : undefined;
    const [lo, hi] = query.areaRange ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    const ids: number[] = [];
    for (const a of source) {
      if (categories && !categories.has(a.category_id)) continue;
      if (query.areaRange && !((a.area ?? 0) >= lo && (a.area ?? 0) <= hi)) continue;
      if (query.iscrowd !== undefined && isCrowd(a) !== query.iscrowd) continue;
      ids.push(a.id);
    }
    return ids;
  }

  /** Ids of images, sorted; with categories, only images holding an annotation of every one of them. */
  imageIds(query: { categoryIds?: readonly number[] } = {}): number[] {
    if (!query.categoryIds || query.categoryIds.length === 0) {
      return this.images.map((image) => image.id).sort((a, b) => a - b);
    }
    let ids: Set<number> | undefined;
    for (const categoryId of query.categoryIds) {
      const withCategory = this.imageIdsByCategory.get(categoryId) ?? [];
      ids = new Set(ids ? withCategory.filter((id) => ids!.has(id)) : withCategory);
    }
    return [...(ids ?? [])].sort((a, b) => a - b);
  }

  /** Category ids, optionally by name or supercategory (pycocotools getCatIds). */
  categoryIds(query: { names?: readonly string[]; supercategories?: readonly string[] } = {}): number[] {
    return this.categories
      .filter((c) => !query.names || query.names.includes(c.name))
      .filter((c) => !query.supercategories || query.supercategories.includes(c.supercategory ?? ''))
      .map((c) => c.id);
  }

  /**
   * The mask of an annotation (or annotation id) as an Rle, as pycocotools' annToRLE: polygons are rasterised
   * on the image's size and merged; RLEs keep their own size.
   */
  annToRle(annotation: CocoAnnotation | number): Rle {
    const ann = this.resolve(annotation);
    const image = this.imageById.get(ann.image_id);
    if (!image) {
      throw new CocoFormatError(this.source, `image_id ${ann.image_id} is not a known image`, {
        annotationId: ann.id,
      });
    }
    try {
      return rleFromSegmentation(ann.segmentation, image.height, image.width);
    } catch (cause) {
      throw new CocoFormatError(this.source, `bad segmentation: ${(cause as Error).message}`, {
        annotationId: ann.id,
        cause,
      });
    }
  }

  /** The mask of an annotation as 0/1 bytes, row-major (y * width + x), as pycocotools' annToMask. */
  annToMask(annotation: CocoAnnotation | number): Uint8Array {
    const ann = this.resolve(annotation);
    const rle = this.annToRle(ann);
    try {
      return decodeMask(rle);
    } catch (cause) {
      throw new CocoFormatError(this.source, `bad mask: ${(cause as Error).message}`, {
        annotationId: ann.id,
        cause,
      });
    }
  }

  private resolve(annotation: CocoAnnotation | number): CocoAnnotation {
    if (typeof annotation !== 'number') return annotation;
    const found = this.annotationById.get(annotation);
    if (!found) throw new CocoFormatError(this.source, `no annotation with id ${describeValue(annotation)}`);
    return found;
  }
}

/** True for crowd annotations (iscrowd 1), which are never targets. */
export function isCrowd(annotation: CocoAnnotation): boolean {
  return annotation.iscrowd === 1 || (annotation.iscrowd as unknown) === true;
}

function problemsError(problems: CocoProblem[], source: string): CocoFormatError {
  const [first] = problems;
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1}${problems.length >= 20 ? '+' : ''} more problems)`
      : '';
  const where = first.path ? ` at ${first.path}` : '';
  return new CocoFormatError(source, `${first.problem}${where}${more}`, {
    annotationId: first.annotationId,
  });
}
