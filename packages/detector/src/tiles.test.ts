import { cornerTiles, cropRgb, fromTile, TILE_MAX_SIDE } from './tiles';
import type { Box } from './types';

const det = (box: Box, score = 0.5) => ({ box, score, categoryId: 53 });

describe('cornerTiles', () => {
  it('covers the image with four overlapping corner tiles of 60% of each side', () => {
    expect(cornerTiles(640, 480)).toEqual([
      { x: 0, y: 0, width: 384, height: 288 },
      { x: 256, y: 0, width: 384, height: 288 },
      { x: 0, y: 192, width: 384, height: 288 },
      { x: 256, y: 192, width: 384, height: 288 },
    ]);
  });

  it('keeps tiles at least one pixel wide inside a tiny image', () => {
    for (const tile of cornerTiles(1, 2)) {
      expect(tile.width).toBe(1);
      expect(tile.x).toBe(0);
      expect(tile.y + tile.height).toBeLessThanOrEqual(2);
    }
  });
});

describe('cropRgb', () => {
  it("copies the tile's rows of RGB pixels", () => {
    // 4x3 image whose pixel (x, y) is (x, y, 9).
    const data = new Uint8Array(4 * 3 * 3);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) data.set([x, y, 9], (y * 4 + x) * 3);
    const crop = cropRgb({ data, width: 4, height: 3 }, { x: 1, y: 1, width: 2, height: 2 });
    expect(crop.width).toBe(2);
    expect(crop.height).toBe(2);
    expect(Array.from(crop.data)).toEqual([1, 1, 9, 2, 1, 9, 1, 2, 9, 2, 2, 9]);
  });
});

describe('fromTile', () => {
  const topRight = { x: 256, y: 0, width: 384, height: 288 }; // of a 640x480 image: cut on its left and bottom

  it('moves boxes into image pixels and keeps the other fields', () => {
    expect(fromTile([det([10, 20, 50, 60], 0.3)], topRight, 640, 480)).toEqual([
      det([266, 20, 306, 60], 0.3),
    ]);
  });

  it('drops boxes cut by a tile edge inside the image, keeps those at the image border', () => {
    const kept = fromTile(
      [
        det([0, 50, 40, 90]), // left edge: inside the image -> cut off
        det([100, 250, 140, 288]), // bottom edge: inside the image -> cut off
        det([344, 50, 384, 90]), // right edge = the image's right border -> whole
        det([100, 0, 140, 30]), // top edge = the image's top border -> whole
        det([2, 100, 40, 140]), // clear of the left edge
      ],
      topRight,
      640,
      480,
    );
    expect(kept.map((d) => d.box)).toEqual([
      [600, 50, 640, 90],
      [356, 0, 396, 30],
      [258, 100, 296, 140],
    ]);
  });

  it('drops boxes whose mean side reaches maxSide (the full image sees those whole)', () => {
    const side = TILE_MAX_SIDE;
    const boxes = [
      det([10, 10, 10 + side, 10 + side]),
      det([10, 10, 10 + side - 1, 10 + side]),
      det([10, 10, 11, 200]),
    ];
    expect(fromTile(boxes, topRight, 640, 480).map((d) => d.box[2] - 256)).toEqual([10 + side - 1, 11]);
    expect(fromTile(boxes, topRight, 640, 480, 1000)).toHaveLength(3);
  });
});
