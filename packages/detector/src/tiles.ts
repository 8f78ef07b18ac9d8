import type { RgbImage } from '@tasam/coco-data';
import type { Box, Detection } from './types';

/** A rectangle of the image, in its pixels: left, top, width, height. */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Each corner tile covers this share of the image's width and height, so neighbours overlap by a fifth of it and
 * an object up to that size lies whole in some tile. Stretched to the model's input, a tile shows its objects
 * 1 / 0.6 = 1.67 times larger than the whole image does.
 */
export const TILE_FRACTION = 0.6;

/**
 * A tile's box is kept only when its geometric mean side (sqrt of its area, image pixels) is under this: the
 * tiles are for small objects; a larger object is seen whole by the full-image pass, and tiles add partial
 * boxes of it. Chosen on coco-mini train2017 from 64 / 128 / 192 / no limit (README, "Tiles").
 */
export const TILE_MAX_SIDE = 128;

/** A box of a tile that reaches within this many pixels of a tile edge inside the image is a cut-off object. */
const EDGE_MARGIN = 2;

/** The four corner tiles of an image, each TILE_FRACTION of its width and height (at least one pixel). */
export function cornerTiles(width: number, height: number, fraction = TILE_FRACTION): Tile[] {
  const w = Math.max(1, Math.round(width * fraction));
  const h = Math.max(1, Math.round(height * fraction));
  return [
    { x: 0, y: 0, width: w, height: h },
    { x: width - w, y: 0, width: w, height: h },
    { x: 0, y: height - h, width: w, height: h },
    { x: width - w, y: height - h, width: w, height: h },
  ];
}

/** The pixels of one tile as an image of its own (copied, rows of the tile). */
export function cropRgb(image: RgbImage, tile: Tile): RgbImage {
  const data = new Uint8Array(tile.width * tile.height * 3);
  for (let row = 0; row < tile.height; row++) {
    const from = ((tile.y + row) * image.width + tile.x) * 3;
    data.set(image.data.subarray(from, from + tile.width * 3), row * tile.width * 3);
  }
  return { data, width: tile.width, height: tile.height };
}

/**
 * A tile pass's detections (boxes in the tile's pixels) in the image's pixels, without the boxes that touch a
 * tile edge lying inside the image (the object goes on beyond the tile) and without those of mean side
 * `maxSide` or more (the full-image pass sees them whole).
 */
export function fromTile<D extends Pick<Detection, 'box'>>(
  detections: readonly D[],
  tile: Tile,
  imageWidth: number,
  imageHeight: number,
  maxSide = TILE_MAX_SIDE,
): D[] {
  const cutLeft = tile.x > 0;
  const cutTop = tile.y > 0;
  const cutRight = tile.x + tile.width < imageWidth;
  const cutBottom = tile.y + tile.height < imageHeight;
  const kept: D[] = [];
  for (const detection of detections) {
    const [x0, y0, x1, y1] = detection.box;
    if (
      (cutLeft && x0 < EDGE_MARGIN) ||
      (cutTop && y0 < EDGE_MARGIN) ||
      (cutRight && x1 > tile.width - EDGE_MARGIN) ||
      (cutBottom && y1 > tile.height - EDGE_MARGIN)
    )
      continue;
    if (Math.sqrt((x1 - x0) * (y1 - y0)) >= maxSide) continue;
    const box: Box = [x0 + tile.x, y0 + tile.y, x1 + tile.x, y1 + tile.y];
    kept.push({ ...detection, box });
  }
  return kept;
}
