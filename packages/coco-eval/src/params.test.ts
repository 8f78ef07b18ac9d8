import { EvalParamsError } from './errors';
import { defaultParams, linspace, normaliseParams } from './params';

describe('params', () => {
  it('builds numpy.linspace thresholds bit for bit', () => {
    const iou = linspace(0.5, 0.95, 10);
    expect(iou[8]).toBe(0.8999999999999999);
    expect(iou[5]).toBe(0.75);
    const rec = linspace(0, 1, 101);
    expect(rec[35]).toBe(0.35000000000000003);
    expect(rec[57]).toBe(0.5700000000000001);
    expect(rec[100]).toBe(1);
  });

  it('defaults to pycocotools Params for detection', () => {
    const p = defaultParams('segm', [3, 1], [2]);
    expect(p.maxDets).toEqual([1, 10, 100]);
    expect(p.areaRng).toEqual([
      [0, 1e10],
      [0, 1024],
      [1024, 9216],
      [9216, 1e10],
    ]);
    expect(p.areaRngLbl).toEqual(['all', 'small', 'medium', 'large']);
    expect(p.useCats).toBe(true);
    expect(p.iouThrs).toHaveLength(10);
    expect(p.recThrs).toHaveLength(101);
  });

  it('normalises ids and maxDets as COCOeval.evaluate does', () => {
    const p = normaliseParams({ ...defaultParams('bbox', [5, 1, 5, 3], [9, 2, 9]), maxDets: [100, 1, 10] });
    expect(p.imgIds).toEqual([1, 3, 5]);
    expect(p.catIds).toEqual([2, 9]);
    expect(p.maxDets).toEqual([1, 10, 100]);
  });

  it('rejects unusable params with a typed error naming the field', () => {
    const base = defaultParams('segm', [1], [1]);
    const bad: [Partial<typeof base>, RegExp][] = [
      [{ iouType: 'keypoints' as never }, /params\.iouType/],
      [{ iouThrs: [] }, /params\.iouThrs: must not be empty/],
      [{ recThrs: [0, Number.NaN] }, /params\.recThrs: element 1/],
      [{ maxDets: [0] }, /params\.maxDets: 0 is not a positive integer/],
      [{ areaRng: [[5, 1]], areaRngLbl: ['x'] }, /params\.areaRng\[0\]/],
      [{ areaRngLbl: ['all'] }, /params\.areaRngLbl/],
    ];
    for (const [override, message] of bad) {
      const run = () => normaliseParams({ ...base, ...override });
      expect(run).toThrow(EvalParamsError);
      expect(run).toThrow(message);
    }
  });
});
