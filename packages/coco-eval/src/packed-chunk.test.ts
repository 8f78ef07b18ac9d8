import { compressRle, encodeMask, rleFromSegmentation } from '@tasam/coco-data';
import { pairInput, planEvaluation } from './eval-plan';
import { maskOf } from './evaluate-pair';
import { GroundTruth } from './ground-truth';
import { chunkTransferList, packChunk, unpackChunk } from './packed-chunk';
import { defaultParams, normaliseParams } from './params';
import { loadResults } from './results';

describe('packChunk / unpackChunk (pairs sent to workers)', () => {
  const H = 6;
  const W = 8;
  const mask = new Uint8Array(H * W).map((_, i) => (i % 5 < 2 ? 1 : 0));
  const gt = new GroundTruth({
    images: [{ id: 1, height: H, width: W }],
    annotations: [
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        area: 9,
        bbox: [1, 1, 3, 3],
        segmentation: [
          [1, 1, 4, 1, 4, 4, 1, 4],
          [5, 0, 7, 0, 7, 2],
        ],
      },
      {
        id: 2,
        image_id: 1,
        category_id: 1,
        area: 20,
        bbox: [0, 0, 8, 6],
        iscrowd: 1,
        segmentation: { size: [H, W], counts: [3, 10, 5, 30] },
      },
      {
        id: 3,
        image_id: 1,
        category_id: 1,
        area: 4,
        bbox: [0, 0, 2, 2],
        segmentation: { strange: true } as never,
      },
    ],
    categories: [{ id: 1, name: 'a' }],
  });
  const dt = loadResults(gt, [
    { image_id: 1, category_id: 1, segmentation: compressRle(encodeMask(mask, H, W)), score: 0.9 },
    { image_id: 1, category_id: 1, segmentation: [[0, 0, 3, 0, 3, 3]], score: 0.4 },
  ]);
  const params = normaliseParams(defaultParams('segm', gt.imgIds, gt.catIds));
  const plan = planEvaluation(gt, dt, params);

  it('carries every pair field and rebuilds the same masks, polygons as typed arrays', () => {
    const chunk = packChunk(0, 0, plan.pairs.count, plan, gt, dt, params);
    const copy = structuredClone(chunk, { transfer: chunkTransferList(chunk) });
    const [unpacked] = unpackChunk(copy).inputs;
    const direct = pairInput(plan, 0, gt, dt, params);
    for (const key of [
      'height',
      'width',
      'gtIds',
      'gtAreas',
      'gtCrowd',
      'dtIds',
      'dtAreas',
      'dtIndices',
    ] as const)
      expect(unpacked[key]).toEqual(direct[key]);
    expect(unpacked.gtSegmentations![0]).toEqual({
      polygons: [Float64Array.of(1, 1, 4, 1, 4, 4, 1, 4), Float64Array.of(5, 0, 7, 0, 7, 2)],
    });
    for (const [g, source] of direct.gtSegmentations!.entries()) {
      if (g === 2) continue;
      expect(maskOf(unpacked.gtSegmentations![g], H, W)).toEqual(rleFromSegmentation(source as never, H, W));
    }
    for (const [d, source] of direct.dtSegmentations!.entries())
      expect(maskOf(unpacked.dtSegmentations![d], H, W)).toEqual(rleFromSegmentation(source as never, H, W));
    // an unusable segmentation travels as is and fails the same way on either side
    expect(unpacked.gtSegmentations![2]).toEqual({ strange: true });
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const here = failure(() => maskOf(direct.gtSegmentations![2], H, W));
    expect(here).toMatch(/expected polygons, or an RLE/);
    expect(failure(() => maskOf(unpacked.gtSegmentations![2], H, W))).toBe(here);
  });
});
