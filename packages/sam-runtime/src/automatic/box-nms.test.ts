import { boxIou, boxNms, maskBox } from './box-nms';

describe('maskBox', () => {
  it('returns inclusive x0,y0,x1,y1 and zeros for an empty mask', () => {
    const mask = new Uint8Array(5 * 4);
    expect(maskBox(mask, 5, 4)).toEqual([0, 0, 0, 0]);
    mask[1 * 5 + 2] = 1;
    mask[3 * 5 + 4] = 1;
    expect(maskBox(mask, 5, 4)).toEqual([2, 1, 4, 3]);
  });
});

describe('boxNms', () => {
  it('uses torchvision box_iou arithmetic', () => {
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(boxIou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(boxIou([3, 3, 3, 3], [3, 3, 3, 3])).toBe(0); // empty union
  });

  it('keeps the best box of each overlapping group, best first', () => {
    const boxes: [number, number, number, number][] = [
      [0, 0, 10, 10],
      [1, 0, 11, 10], // IoU with 0: 90/110 = 0.82
      [20, 20, 30, 30],
      [0, 0, 10, 14], // IoU with 0: 100/140 = 0.71, with 1: 90/150 = 0.6
    ];
    expect(boxNms(boxes, [0.8, 0.9, 0.5, 0.7], 0.7)).toEqual([1, 3, 2]);
    expect(boxNms(boxes, [0.8, 0.9, 0.5, 0.7], 0.85)).toEqual([1, 0, 3, 2]);
    expect(boxNms(boxes, [0.8, 0.9, 0.5, 0.7], 0.55)).toEqual([1, 2]);
    // equal scores keep input order
    expect(boxNms([boxes[2], boxes[0]], [0.5, 0.5], 0.7)).toEqual([0, 1]);
  });
});
