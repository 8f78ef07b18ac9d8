import { describeValue } from '@tasam/errors';
import { decompressRle, MAX_POLYGON_COORDINATE } from '../mask';
import { MAX_COUNT } from '../mask/rle';
import type { CocoAnnotation, CocoCategory, CocoImage } from './types';

/** One thing wrong with a COCO instances file. */
export interface CocoProblem {
  /** The annotation at fault, when the problem is in one. */
  annotationId?: number;
  /** Where in the file: `images[3]`, `annotations[120].segmentation[0]`. */
  path: string;
  problem: string;
}

export interface ValidateOptions {
  /** Stop after this many problems (default 100). */
  maxProblems?: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks a parsed COCO instances file: the three arrays, the required fields and their types, unique ids,
 * annotation references to known images and categories, polygon shapes (even counts; a first polygon of at
 * least 6 values, as pycocotools needs), RLE sizes and counts against the image, boxes and areas that are not
 * negative. Returns the problems found (empty when the file is good); does not copy or change the input.
 */
export function validateCocoInstances(json: unknown, options: ValidateOptions = {}): CocoProblem[] {
  return checkCocoInstances(json, options.maxProblems ?? 100).problems;
}

/** The id indexes validation builds anyway; CocoDataset keeps them rather than building them again. */
export interface CocoIndexes {
  imageById: Map<number, CocoImage>;
  annotationById: Map<number, CocoAnnotation>;
  categoryById: Map<number, CocoCategory>;
}

/** Validates and, on the way, indexes images, annotations and categories by id. */
export function checkCocoInstances(json: unknown, max: number): { problems: CocoProblem[] } & CocoIndexes {
  const problems: CocoProblem[] = [];
  const images = new Map<number, CocoImage>();
  const categories = new Map<number, CocoCategory>();
  const annotationIds = new Map<number, CocoAnnotation>();
  const result = { problems, imageById: images, annotationById: annotationIds, categoryById: categories };
  const report = (path: string, problem: string, annotationId?: number): boolean => {
    problems.push(annotationId === undefined ? { path, problem } : { path, problem, annotationId });
    return problems.length >= max;
  };
  if (!isObject(json)) {
    report('', `expected a JSON object with images, annotations and categories, got ${describeValue(json)}`);
    return result;
  }
  for (const key of ['images', 'annotations', 'categories']) {
    if (!Array.isArray(json[key]))
      report(key, `${key} is missing or not an array (${describeValue(json[key])})`);
  }
  if (problems.length > 0) return result;

  const imageList = json.images as unknown[];
  for (let i = 0; i < imageList.length; i++) {
    const image = imageList[i];
    const path = `images[${i}]`;
    if (!isObject(image)) {
      if (report(path, `expected an object, got ${describeValue(image)}`)) return result;
      continue;
    }
    const problem = imageProblem(image, images);
    if (problem) {
      if (report(path, problem)) return result;
      continue;
    }
    images.set(image.id as number, image as unknown as CocoImage);
  }

  const categoryList = json.categories as unknown[];
  for (let i = 0; i < categoryList.length; i++) {
    const category = categoryList[i];
    const path = `categories[${i}]`;
    let problem: string | undefined;
    if (!isObject(category)) problem = `expected an object, got ${describeValue(category)}`;
    else if (!isId(category.id))
      problem = `id is ${describeValue(category.id)}, expected a non-negative integer`;
    else if (categories.has(category.id)) problem = `duplicate category id ${category.id}`;
    else if (typeof category.name !== 'string' || category.name === '')
      problem = `category ${category.id}: name is ${describeValue(category.name)}, expected a non-empty string`;
    if (problem) {
      if (report(path, problem)) return result;
      continue;
    }
    categories.set((category as Json).id as number, category as unknown as CocoCategory);
  }

  const annotationList = json.annotations as unknown[];
  for (let i = 0; i < annotationList.length; i++) {
    const annotation = annotationList[i];
    const path = `annotations[${i}]`;
    if (!isObject(annotation)) {
      if (report(path, `expected an object, got ${describeValue(annotation)}`)) return result;
      continue;
    }
    const id = annotation.id;
    if (!isId(id)) {
      if (report(path, `id is ${describeValue(id)}, expected a non-negative integer`)) return result;
      continue;
    }
    if (annotationIds.has(id)) {
      if (report(path, `duplicate annotation id ${id}`, id)) return result;
      continue;
    }
    annotationIds.set(id, annotation as unknown as CocoAnnotation);
    const problem = annotationProblem(annotation, images, categories);
    if (problem && report(`${path}.${problem.field}`, problem.problem, id)) return result;
  }
  return result;
}

function imageProblem(image: Json, seen: Map<number, CocoImage>): string | undefined {
  if (!isId(image.id)) return `id is ${describeValue(image.id)}, expected a non-negative integer`;
  if (seen.has(image.id)) return `duplicate image id ${image.id}`;
  if (!isPositiveInt(image.width) || !isPositiveInt(image.height)) {
    return `image ${image.id}: size ${describeValue(image.width)} x ${describeValue(image.height)}, expected positive integers`;
  }
  if (image.width * image.height > MAX_COUNT) {
    return `image ${image.id}: size ${image.width} x ${image.height} has more pixels than an RLE can count (2^32 - 1)`;
  }
  if (typeof image.file_name !== 'string' || image.file_name === '') {
    return `image ${image.id}: file_name is ${describeValue(image.file_name)}, expected a non-empty string`;
  }
  return undefined;
}

function annotationProblem(
  annotation: Json,
  images: Map<number, CocoImage>,
  categories: Map<number, CocoCategory>,
): { field: string; problem: string } | undefined {
  const image = images.get(annotation.image_id as number);
  if (!image) {
    return {
      field: 'image_id',
      problem: `image_id ${describeValue(annotation.image_id)} is not a known image`,
    };
  }
  if (!categories.has(annotation.category_id as number)) {
    return {
      field: 'category_id',
      problem: `category_id ${describeValue(annotation.category_id)} is not a known category`,
    };
  }
  const { iscrowd } = annotation;
  if (iscrowd !== undefined && iscrowd !== 0 && iscrowd !== 1 && iscrowd !== true && iscrowd !== false) {
    return { field: 'iscrowd', problem: `iscrowd is ${describeValue(iscrowd)}, expected 0 or 1` };
  }
  if (annotation.area !== undefined && !(isFiniteNumber(annotation.area) && annotation.area >= 0)) {
    return { field: 'area', problem: `area is ${describeValue(annotation.area)}, expected a number >= 0` };
  }
  if (annotation.bbox !== undefined) {
    const b = annotation.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isFiniteNumber)) {
      return { field: 'bbox', problem: `bbox is ${describeValue(b)}, expected [x, y, width, height]` };
    }
    if (b[2] < 0 || b[3] < 0) {
      return { field: 'bbox', problem: `bbox [${b.join(', ')}] has a negative width or height` };
    }
  }
  const problem = segmentationProblem(annotation.segmentation, image);
  return problem ? { field: `segmentation${problem.field}`, problem: problem.problem } : undefined;
}

function segmentationProblem(
  segmentation: unknown,
  image: CocoImage,
): { field: string; problem: string } | undefined {
  if (segmentation === undefined) return { field: '', problem: 'segmentation is missing' };
  if (Array.isArray(segmentation)) {
    if (segmentation.length === 0) return { field: '', problem: 'segmentation is an empty list of polygons' };
    for (let p = 0; p < segmentation.length; p++) {
      const polygon = segmentation[p];
      if (!Array.isArray(polygon)) {
        return {
          field: `[${p}]`,
          problem: `polygon ${p} is ${describeValue(polygon)}, expected [x0, y0, x1, y1, ...]`,
        };
      }
      if (polygon.length % 2 !== 0) {
        return {
          field: `[${p}]`,
          problem: `polygon ${p} has an odd number of coordinates (${polygon.length})`,
        };
      }
      if (p === 0 && polygon.length < 6) {
        return {
          field: '[0]',
          problem: `polygon 0 has ${polygon.length} coordinates; at least 3 points (6 values) are needed`,
        };
      }
      for (let k = 0; k < polygon.length; k++) {
        if (!isFiniteNumber(polygon[k])) {
          return {
            field: `[${p}][${k}]`,
            problem: `polygon ${p} value ${k} is ${describeValue(polygon[k])}`,
          };
        }
        if (Math.abs(polygon[k]) > MAX_POLYGON_COORDINATE) {
          return {
            field: `[${p}][${k}]`,
            problem: `polygon ${p} value ${k} is ${polygon[k]}, beyond the ±${MAX_POLYGON_COORDINATE} pycocotools can rasterise`,
          };
        }
      }
    }
    return undefined;
  }
  if (!isObject(segmentation) || !('counts' in segmentation)) {
    return {
      field: '',
      problem: `segmentation is ${describeValue(segmentation)}, expected polygons or an RLE`,
    };
  }
  const size = segmentation.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => isId(v))) {
    return {
      field: '.size',
      problem: `RLE size is ${JSON.stringify(size)}, expected [h, w] with non-negative integers`,
    };
  }
  if (size[0] !== image.height || size[1] !== image.width) {
    return {
      field: '.size',
      problem: `RLE size [${size.join(', ')}] differs from the image's [${image.height}, ${image.width}]`,
    };
  }
  const pixels = size[0] * size[1];
  const counts = segmentation.counts;
  if (Array.isArray(counts)) {
    let total = 0;
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k];
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
        return {
          field: `.counts[${k}]`,
          problem: `RLE count ${k} is ${describeValue(c)}, expected an integer >= 0`,
        };
      }
      total += c;
    }
    if (total !== pixels) {
      return { field: '.counts', problem: `RLE counts sum to ${total}, expected h * w = ${pixels}` };
    }
    return undefined;
  }
  if (typeof counts !== 'string') {
    return {
      field: '.counts',
      problem: `RLE counts is ${describeValue(counts)}, expected a string or numbers`,
    };
  }
  try {
    const rle = decompressRle({ size: [size[0], size[1]], counts });
    let total = 0;
    for (let k = 0; k < rle.counts.length; k++) total += rle.counts[k];
    if (total !== pixels) {
      return { field: '.counts', problem: `RLE counts sum to ${total}, expected h * w = ${pixels}` };
    }
  } catch (error) {
    return { field: '.counts', problem: (error as Error).message };
  }
  return undefined;
}
