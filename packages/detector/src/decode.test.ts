import { decodeDetections, scaleAndClipBox } from './decode';

/** Rows of [x1, y1, x2, y2, score, class] as the model emits them. */
const rows = (...values: number[][]) => Float32Array.from(values.flat());

describe('scaleAndClipBox', () => {
  it('maps 512-pixel input coordinates back to the stretched image, per axis', () => {
    expect(scaleAndClipBox([0, 0, 512, 512], 640, 480)).toEqual([0, 0, 640, 480]);
    expect(scaleAndClipBox([128, 256, 256, 384], 1024, 256)).toEqual([256, 128, 512, 192]);
  });

  it('clips to the image and orders the corners', () => {
    expect(scaleAndClipBox([-10, -5, 600, 520], 512, 512)).toEqual([0, 0, 512, 512]);
    expect(scaleAndClipBox([100, 200, 50, 20], 512, 512)).toEqual([50, 20, 100, 200]);
  });

  it('drops boxes with no area inside the image, or not finite', () => {
    expect(scaleAndClipBox([520, 10, 600, 20], 512, 512)).toBeUndefined();
    expect(scaleAndClipBox([10, 10, 10, 20], 512, 512)).toBeUndefined();
    expect(scaleAndClipBox([Number.NaN, 0, 10, 10], 512, 512)).toBeUndefined();
  });
});

describe('decodeDetections', () => {
  const raw = rows(
    [0, 0, 256, 256, 0.9, 20], // elephant
    [256, 0, 512, 256, 0.6, 0], // person
    [0, 0, 100, 100, 0.3, 79], // toothbrush, the last class
    [0, 0, 100, 100, 0.2, 80], // no such class
    [0, 0, 100, 100, Number.NaN, 1], // bicycle, no score
    [0, 0, 100, 100, 0.01, 1], // bicycle, under the threshold
  );

  it('turns class indices 0-79 into COCO ids and names and scales boxes to the image', () => {
    const detections = decodeDetections(raw, 1024, 512, { scoreThreshold: 0.05 });
    expect(detections).toEqual([
      { box: [0, 0, 512, 256], categoryId: 22, category: 'elephant', score: expect.closeTo(0.9, 6) },
      { box: [512, 0, 1024, 256], categoryId: 1, category: 'person', score: expect.closeTo(0.6, 6) },
      { box: [0, 0, 200, 100], categoryId: 90, category: 'toothbrush', score: expect.closeTo(0.3, 6) },
    ]);
  });

  it('keeps scores at the threshold and drops those under it', () => {
    expect(decodeDetections(raw, 512, 512, { scoreThreshold: 0.6 }).map((d) => d.categoryId)).toEqual([
      22, 1,
    ]);
    expect(decodeDetections(raw, 512, 512, { scoreThreshold: 0 })).toHaveLength(4);
  });

  it('keeps only the asked categories', () => {
    const only = decodeDetections(raw, 512, 512, { scoreThreshold: 0, categoryIds: new Set([1, 90]) });
    expect(only.map((d) => d.category)).toEqual(['person', 'toothbrush']);
  });

  it('honours another input size and ignores a trailing partial row', () => {
    const detections = decodeDetections(Float32Array.from([0, 0, 64, 64, 0.5, 2, 1, 2]), 256, 256, {
      scoreThreshold: 0.05,
      inputSize: 128,
    });
    expect(detections).toEqual([{ box: [0, 0, 128, 128], categoryId: 3, category: 'car', score: 0.5 }]);
  });
});
