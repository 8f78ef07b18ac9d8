import { describeValue } from '@tasam/errors';
import { InvalidSegmentationError } from '../errors';
import { mergeRles } from './merge';
import { rleFromPolygon } from './polygon';
import type { CompressedRle, Rle, UncompressedRle } from './rle';
import { decompressRle } from './string-codec';
import { rleFromUncompressed } from './uncompressed';

/** A COCO `segmentation` field: polygons, an uncompressed RLE (crowd) or a compressed RLE. */
export type Segmentation = number[][] | UncompressedRle | CompressedRle;

/**
 * One Rle per polygon, as pycocotools' frPyObjects does for a list of polygons, including its dispatch:
 * a flat list of numbers, an empty list, or a first polygon of 4 or fewer values (which pycocotools takes for a
 * box list and rejects) raise.
 */
export function rlesFromPolygons(polygons: readonly (readonly number[])[], h: number, w: number): Rle[] {
  const input = `polygons ${describeValue(polygons)}`;
  if (!Array.isArray(polygons)) throw new InvalidSegmentationError(input, 'expected a list of polygons');
  if (polygons.length === 0) throw new InvalidSegmentationError(input, 'the list of polygons is empty');
  const first = polygons[0];
  if (!Array.isArray(first)) {
    throw new InvalidSegmentationError(
      input,
      `expected a list of polygons [[x0, y0, x1, y1, ...], ...], got ${describeValue(first)} as the first entry (a flat list?)`,
    );
  }
  if (first.length === 4) {
    throw new InvalidSegmentationError(
      input,
      'the first polygon has 4 values: pycocotools reads such a list as boxes and rejects it',
    );
  }
  if (first.length < 4) {
    throw new InvalidSegmentationError(
      input,
      `the first polygon has ${first.length} values, at least 6 are needed`,
    );
  }
  const rles: Rle[] = [];
  for (let i = 0; i < polygons.length; i++) {
    const polygon = polygons[i];
    if (!Array.isArray(polygon)) {
      throw new InvalidSegmentationError(input, `entry ${i} is ${describeValue(polygon)}, not a polygon`);
    }
    rles.push(rleFromPolygon(polygon, h, w));
  }
  return rles;
}

/**
 * The mask of a COCO segmentation as one Rle, following pycocotools' COCO.annToRLE: polygons are rasterised on
 * the h x w image and merged; uncompressed and compressed RLEs keep their own `size`.
 */
export function rleFromSegmentation(segmentation: Segmentation, h: number, w: number): Rle {
  if (Array.isArray(segmentation)) return mergeRles(rlesFromPolygons(segmentation, h, w));
  if (typeof segmentation === 'object' && segmentation !== null && 'counts' in segmentation) {
    if (Array.isArray(segmentation.counts)) return rleFromUncompressed(segmentation as UncompressedRle);
    return decompressRle(segmentation as CompressedRle);
  }
  throw new InvalidSegmentationError(
    `segmentation ${describeValue(segmentation)}`,
    'expected polygons, or an RLE { size, counts }',
  );
}
