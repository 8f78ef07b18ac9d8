import { detectionsToCocoResults } from './coco-results';

describe('detectionsToCocoResults', () => {
  it('writes COCO bbox results: [x, y, width, height], category id, score, image id', () => {
    const results = detectionsToCocoResults(286994, [
      { box: [10, 20, 110, 70], categoryId: 22, category: 'elephant', score: 0.6 },
      { box: [0, 0, 5.5, 2.25], categoryId: 1, category: 'person', score: 0.1 },
    ]);
    expect(results).toEqual([
      { image_id: 286994, category_id: 22, bbox: [10, 20, 100, 50], score: 0.6 },
      { image_id: 286994, category_id: 1, bbox: [0, 0, 5.5, 2.25], score: 0.1 },
    ]);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    expect(detectionsToCocoResults(1, [])).toEqual([]);
  });
});
