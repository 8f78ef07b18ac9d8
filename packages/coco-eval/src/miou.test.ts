import { compressRle, encodeMask } from '@tasam/coco-data';
import { CocoEval } from './coco-eval';
import { GroundTruth } from './ground-truth';
import { categoryMaskMiou } from './miou';
import { loadResults } from './results';

describe('instance mIoU', () => {
  const gt = new GroundTruth({
    images: [{ id: 1, height: 100, width: 100 }],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, area: 100, bbox: [0, 0, 10, 10], iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 1, area: 2500, bbox: [0, 0, 50, 50], iscrowd: 0 },
      { id: 3, image_id: 1, category_id: 1, area: 400, bbox: [60, 60, 20, 20], iscrowd: 1 },
      { id: 4, image_id: 1, category_id: 2, area: 400, bbox: [0, 0, 20, 20], iscrowd: 0 },
    ],
    categories: [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ],
  });
  const dt = loadResults(gt, [
    { image_id: 1, category_id: 1, bbox: [0, 0, 10, 5], score: 0.9 }, // IoU 0.5 with GT 1, 0.02 with GT 2
    { image_id: 1, category_id: 1, bbox: [0, 0, 50, 40], score: 0.1 }, // IoU 0.05 with GT 1, 0.8 with GT 2
    { image_id: 1, category_id: 1, bbox: [60, 60, 20, 20], score: 0.5 }, // on the crowd: not counted
  ]);

  it('averages the best IoU of any prediction of the same category per non-crowd GT, by GT area', () => {
    const miou = new CocoEval(gt, dt, 'bbox').evaluate().instanceMiou();
    // GT 1: 0.5, GT 2: 0.8 (best, though a lower score), GT 4: no prediction of its category: 0
    expect(miou.all).toEqual({ miou: (0.5 + 0.8 + 0) / 3, instances: 3 });
    expect(miou.small).toEqual({ miou: 0.25, instances: 2 });
    expect(miou.medium).toEqual({ miou: 0.8, instances: 1 });
    expect(miou.large.instances).toBe(0);
    expect(miou.large.miou).toBeNaN();
  });

  it('pools categories when useCats is false', () => {
    const miou = new CocoEval(gt, dt, 'bbox', { useCats: false }).evaluate().instanceMiou();
    // GT 4 [0,0,20,20] now meets the category-1 boxes: 50/400 and 400/2000, the best is 0.2
    expect(miou.all.miou).toBe((0.5 + 0.8 + 0.2) / 3);
  });
});

describe('categoryMaskMiou', () => {
  const H = 4;
  const W = 6;
  const rect = (y0: number, y1: number, x0: number, x1: number) => {
    const mask = new Uint8Array(H * W);
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask[y * W + x] = 1;
    return compressRle(encodeMask(mask, H, W));
  };
  const gt = new GroundTruth({
    images: [
      { id: 1, height: H, width: W },
      { id: 2, height: H, width: W },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, area: 4, bbox: [0, 0, 2, 2], segmentation: rect(0, 1, 0, 1) },
      { id: 2, image_id: 1, category_id: 1, area: 4, bbox: [4, 2, 2, 2], segmentation: rect(2, 3, 4, 5) },
      {
        id: 3,
        image_id: 2,
        category_id: 1,
        area: 24,
        bbox: [0, 0, 6, 4],
        iscrowd: 1,
        segmentation: rect(0, 3, 0, 5),
      },
    ],
    categories: [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ],
  });
  const dt = loadResults(gt, [
    { image_id: 1, category_id: 1, segmentation: rect(0, 1, 0, 2), score: 0.9 },
    { image_id: 1, category_id: 1, segmentation: rect(0, 3, 0, 5), score: 0.3 }, // below the threshold
    { image_id: 1, category_id: 2, segmentation: rect(3, 3, 0, 1), score: 0.9 },
    { image_id: 2, category_id: 1, segmentation: rect(0, 3, 0, 5), score: 0.6 },
  ]);

  it('sums union-mask intersections and unions over images per category', () => {
    const result = categoryMaskMiou(gt, dt);
    const [a, b, c] = result.categories;
    // image 1: GT union 8 px, prediction 6 px, overlap 4 -> union 10; image 2: the crowd region, 24/24
    expect(a).toEqual({ categoryId: 1, name: 'a', intersection: 28, union: 34, iou: 28 / 34 });
    // only predicted, never present: IoU 0
    expect(b).toMatchObject({ intersection: 0, union: 2, iou: 0 });
    // neither: left out of the mean
    expect(c.union).toBe(0);
    expect(c.iou).toBeNaN();
    expect(result.miou).toBe((28 / 34 + 0) / 2);
    expect(result.scoreThreshold).toBe(0.5);
  });

  it('lets the score threshold and the image/category selection change what counts', () => {
    const all = categoryMaskMiou(gt, dt, { scoreThreshold: 0, catIds: [1], imgIds: [1] });
    // the 0.3 prediction covers the whole image: GT 8 px inside 24 px
    expect(all.categories).toEqual([{ categoryId: 1, name: 'a', intersection: 8, union: 24, iou: 8 / 24 }]);
    expect(all.miou).toBe(8 / 24);
  });
});
