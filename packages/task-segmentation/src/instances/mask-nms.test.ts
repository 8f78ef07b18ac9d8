import { encodeMask } from '@tasam/coco-data';
import { clipBox } from './box-masks';
import { maskNms } from './mask-nms';

/** A 10x10 mask with the given rectangle set. */
function rect(x0: number, y0: number, x1: number, y1: number) {
  const m = new Uint8Array(100);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * 10 + x] = 1;
  return encodeMask(m, 10, 10);
}

describe('maskNms', () => {
  it('keeps the best of overlapping masks and every mask that does not overlap, best first', () => {
    const rles = [rect(0, 0, 5, 5), rect(0, 0, 5, 6), rect(6, 6, 10, 10)];
    expect(maskNms(rles, [0.5, 0.9, 0.3], 0.5)).toEqual([1, 2]);
    expect(maskNms(rles, [0.5, 0.9, 0.3], 0.9)).toEqual([1, 0, 2]);
    expect(maskNms([], [], 0.5)).toEqual([]);
  });
});

describe('clipBox', () => {
  it('clips a box to the image and drops one left empty', () => {
    expect(clipBox([-5, 2, 700, 90.5], { width: 640, height: 480 })).toEqual([0, 2, 640, 90.5]);
    expect(clipBox([650, 2, 700, 90], { width: 640, height: 480 })).toBeNull();
  });
});
