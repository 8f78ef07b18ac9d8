import { TasamError } from '@tasam/errors';
import { ImageFrame } from './image-frame';

describe('ImageFrame', () => {
  it('scales the longest side to 1024 with SAM rounding', () => {
    expect(new ImageFrame({ width: 640, height: 480 })).toMatchObject({
      resizedWidth: 1024,
      resizedHeight: 768,
    });
    expect(new ImageFrame({ width: 640, height: 371 })).toMatchObject({
      resizedWidth: 1024,
      resizedHeight: 594,
    });
    // 427 * 1024 / 640 = 683.2 -> 683; 333 * 1024/500 = 681.98 -> 682
    expect(new ImageFrame({ width: 427, height: 640 })).toMatchObject({
      resizedWidth: 683,
      resizedHeight: 1024,
    });
    expect(new ImageFrame({ width: 500, height: 333 })).toMatchObject({
      resizedWidth: 1024,
      resizedHeight: 682,
    });
    expect(new ImageFrame({ width: 2048, height: 2048 })).toMatchObject({
      resizedWidth: 1024,
      resizedHeight: 1024,
    });
  });

  it('maps points and boxes to the 1024 frame and back', () => {
    const frame = new ImageFrame({ width: 640, height: 371 });
    const [x, y] = frame.toModel(320, 100);
    expect(x).toBeCloseTo(512, 10);
    expect(y).toBeCloseTo((100 * 594) / 371, 10);
    const back = frame.fromModel(x, y);
    expect(back[0]).toBeCloseTo(320, 10);
    expect(back[1]).toBeCloseTo(100, 10);
    const box = frame.boxToModel([10, 20, 630, 360]);
    const restored = frame.boxFromModel(box);
    [10, 20, 630, 360].forEach((v, i) => {
      expect(restored[i]).toBeCloseTo(v, 9);
    });
  });

  it('knows which points lie inside the image', () => {
    const frame = new ImageFrame({ width: 10, height: 5 });
    expect(frame.contains(0, 0)).toBe(true);
    expect(frame.contains(10, 5)).toBe(true);
    expect(frame.contains(10.01, 1)).toBe(false);
    expect(frame.contains(-1, 1)).toBe(false);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => new ImageFrame({ width: 0, height: 5 })).toThrow(/image size/);
    let caught: unknown;
    try {
      new ImageFrame({ width: 3.5, height: 5 });
    } catch (error) {
      caught = error;
    }
    expect(TasamError.hasCode(caught, 'INVALID_TENSOR')).toBe(true);
  });
});
