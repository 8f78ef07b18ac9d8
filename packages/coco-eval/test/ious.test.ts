import { CocoDataset } from '@tasam/coco-data';
import { CocoEval, GroundTruth, loadResults } from '../src';
import { readFixture } from './fixtures';

// COCOeval.ious and evalImgs of pycocotools for two images: 5001 (more than 100 detections, cut at
// maxDets) and 34417 (a crowd region), per category.

interface PairRef {
  image_id: number;
  category_id: number;
  dt_ids_rows: number[];
  dt_scores_rows: number[];
  gt_ids_cols: number[];
  gt_iscrowd_cols: number[];
  ious: number[][];
  evalImg_all_area: {
    dtIds: number[];
    gtIds: number[];
    dtMatches: number[][];
    gtMatches: number[][];
    dtIgnore: number[][];
    gtIgnore: number[];
    dtScores: number[];
  };
}

const ref = readFixture<Record<'segm' | 'bbox', { pairs: Record<string, PairRef> }>>('ious_2images.json');
const gt = new GroundTruth(CocoDataset.fromJson(readFixture('gt.json'), 'gt.json'));

describe.each([
  ['segm', 'dt_segm.json'],
  ['bbox', 'dt_bbox.json'],
] as const)('%s IoU matrices and matches', (iouType, results) => {
  const ev = new CocoEval(gt, loadResults(gt, readFixture(results), results), iouType).evaluate();
  const pairs = Object.entries(ref[iouType].pairs);

  it('covers the truncated and the crowd image', () => {
    expect(pairs.map(([key]) => key)).toEqual(expect.arrayContaining(['5001/1', '34417/1', '34417/60']));
    expect(ref[iouType].pairs['5001/1'].dt_ids_rows).toHaveLength(100);
  });

  it.each(pairs)('reproduces %s', (_key, pair) => {
    const ious = ev.computeIou(pair.image_id, pair.category_id);
    expect(ious.dims).toEqual([pair.dt_ids_rows.length, pair.gt_ids_cols.length]);
    expect(Array.from(ious.data)).toEqual(pair.ious.flat());

    const image = ev.evaluateImage(pair.image_id, pair.category_id, 0)!;
    const want = pair.evalImg_all_area;
    expect(image.dtIds).toEqual(want.dtIds);
    expect(image.dtIds).toEqual(pair.dt_ids_rows);
    expect(image.dtScores).toEqual(want.dtScores);
    expect(image.gtIds).toEqual(want.gtIds);
    expect(Array.from(image.dtMatches.data)).toEqual(want.dtMatches.flat());
    expect(Array.from(image.gtMatches.data)).toEqual(want.gtMatches.flat());
    expect(Array.from(image.dtIgnore.data)).toEqual(want.dtIgnore.flat());
    expect(Array.from(image.gtIgnore)).toEqual(want.gtIgnore);
  });
});
