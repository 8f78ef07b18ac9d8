import { selectMasks } from './mask-selection';

describe('selectMasks', () => {
  const iou = [0.99, 0.5, 0.9, 0.7];

  it("'auto' follows SamOnnxModel: best of masks 1-3 for <= 2 tokens, else mask 0", () => {
    expect(selectMasks(iou, 2, 'auto')).toEqual([2]);
    expect(selectMasks(iou, 3, 'auto')).toEqual([0]);
    expect(selectMasks([0.1, 0.5, 0.9, 0.7], 4, 'auto')).toEqual([0]);
  });

  it("'best', 'all' and 'single'", () => {
    expect(selectMasks(iou, 5, 'best')).toEqual([2]);
    expect(selectMasks(iou, 5, 'all')).toEqual([2, 3, 1]);
    expect(selectMasks(iou, 2, 'single')).toEqual([0]);
  });
});
