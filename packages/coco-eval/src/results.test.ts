import { compressRle, encodeMask } from '@tasam/coco-data';
import { CocoEvalInputError, RleSizeError, UnknownImageError } from './errors';
import { GroundTruth } from './ground-truth';
import { loadResults } from './results';

const gt = new GroundTruth(
  {
    images: [
      { id: 1, height: 4, width: 6 },
      { id: 2, height: 5, width: 5 },
    ],
    annotations: [{ id: 7, image_id: 1, category_id: 3, area: 4, bbox: [0, 0, 2, 2], iscrowd: 0 }],
    categories: [{ id: 3, name: 'cat' }],
  },
  'gt.json',
);

/** A 4 x 6 mask with a 2 x 3 block at rows 1-2, columns 2-4. */
function block() {
  const mask = new Uint8Array(24);
  for (let y = 1; y <= 2; y++) for (let x = 2; x <= 4; x++) mask[y * 6 + x] = 1;
  return compressRle(encodeMask(mask, 4, 6));
}

describe('loadResults (COCO.loadRes)', () => {
  it('takes the bbox branch when the first result has a box: ids by position, area w*h, box polygon as mask', () => {
    const res = loadResults(gt, [
      { image_id: 1, category_id: 3, bbox: [1, 1, 2, 3], score: 0.5 },
      { image_id: 1, category_id: 9, bbox: [0, 0, 1.5, 2], score: 0.7, segmentation: block() },
    ]);
    expect(res.kind).toBe('bbox');
    expect(Array.from(res.ids)).toEqual([1, 2]);
    expect(Array.from(res.areas)).toEqual([6, 3]);
    expect(res.segmentation(0)).toEqual([[1, 1, 1, 4, 3, 4, 3, 1]]);
    expect(res.byImage.get(1)).toEqual([0, 1]);
    expect(res.segmentation(1)).toEqual(block());
  });

  it('takes the segm branch otherwise: area and box from the mask', () => {
    const res = loadResults(gt, [{ image_id: 1, category_id: 3, segmentation: block(), score: 0.9 }]);
    expect(res.kind).toBe('segm');
    expect(res.area(0)).toBe(6);
    expect(res.bbox(0)).toEqual([2, 1, 3, 2]);
  });

  it('treats an empty first bbox as absent, as pycocotools', () => {
    const res = loadResults(gt, [
      { image_id: 1, category_id: 3, bbox: [], segmentation: block(), score: 0.9 },
    ]);
    expect(res.kind).toBe('segm');
  });

  it('accepts an empty results array as no detections', () => {
    expect(loadResults(gt, []).count).toBe(0);
  });

  it('names the file and the problem for unusable results', () => {
    const cases: [unknown, RegExp][] = [
      [{ annotations: [] }, /^r\.json: expected a JSON array of result objects/],
      [[42], /^r\.json: result 0 is number 42, not an object/],
      [[{ category_id: 3, score: 1, bbox: [0, 0, 1, 1] }], /result 0 has no numeric image_id/],
      [
        [{ image_id: 1, category_id: 3, score: 'high', bbox: [0, 0, 1, 1] }],
        /result 0: score must be a finite number/,
      ],
      [
        [
          { image_id: 1, category_id: 3, score: 1, bbox: [0, 0, 1, 1] },
          { image_id: 1, category_id: 3, score: 1, segmentation: block() },
        ],
        /result 1 has no bbox, but result 0 has one/,
      ],
      [
        [{ image_id: 1, category_id: 3, score: 1, bbox: [0, 0, 1] }],
        /result 0: bbox must be \[x, y, width, height\]/,
      ],
      [[{ image_id: 1, category_id: 3, score: 1 }], /result 0 has neither a bbox nor a segmentation/],
      [
        [{ image_id: 1, category_id: 3, score: 1, segmentation: { size: [4, 6] } }],
        /result 0: segmentation must be an RLE/,
      ],
      [
        [{ image_id: 1, category_id: 3, score: 1, segmentation: { size: [4, 6], counts: 5 } }],
        /result 0: RLE counts must be a COCO counts string/,
      ],
    ];
    for (const [json, message] of cases) {
      const load = () => loadResults(gt, json, 'r.json');
      expect(load).toThrow(CocoEvalInputError);
      expect(load).toThrow(message);
    }
  });

  it('rejects results for images absent from the ground truth', () => {
    const load = () =>
      loadResults(
        gt,
        [
          { image_id: 1, category_id: 3, bbox: [0, 0, 1, 1], score: 1 },
          { image_id: 99, category_id: 3, bbox: [0, 0, 1, 1], score: 1 },
        ],
        'r.json',
      );
    expect(load).toThrow(UnknownImageError);
    expect(load).toThrow('r.json: results for images absent from the ground truth: 99 (first at result 1)');
  });

  it('rejects an RLE whose size is not its image size', () => {
    const load = () =>
      loadResults(gt, [{ image_id: 2, category_id: 3, segmentation: block(), score: 1 }], 'r.json');
    expect(load).toThrow(RleSizeError);
    expect(load).toThrow(
      'r.json: result 0 (image 2) has an RLE of size [4, 6] but the image is [5, 5] (height, width)',
    );
  });

  it('rejects RLE runs that do not cover the image exactly (they would never finish an IoU)', () => {
    for (const counts of [
      [0, 23],
      [1, 2, 3, 19],
    ]) {
      const res = loadResults(
        gt,
        [{ image_id: 1, category_id: 3, segmentation: { size: [4, 6], counts }, score: 1 }],
        'r.json',
      );
      const sum = counts.reduce((a, b) => a + b, 0);
      expect(() => res.area(0)).toThrow(CocoEvalInputError);
      expect(() => res.area(0)).toThrow(
        `r.json: result 0: RLE counts cover ${sum} pixels, expected height x width = 4 x 6 = 24`,
      );
    }
  });
});
