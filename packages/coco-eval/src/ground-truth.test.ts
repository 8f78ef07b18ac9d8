import { CocoEvalInputError } from './errors';
import { GroundTruth } from './ground-truth';

describe('GroundTruth', () => {
  const dataset = {
    images: [
      { id: 5, height: 10, width: 10 },
      { id: 2, height: 10, width: 10 },
    ],
    annotations: [
      { id: 1, image_id: 5, category_id: 3, area: 4, bbox: [0, 0, 2, 2], iscrowd: 1 },
      { id: 2, image_id: 2, category_id: 1, area: 9, bbox: [0, 0, 3, 3] },
      { id: 3, image_id: 5, category_id: 1, area: 1, bbox: [1, 1, 1, 1], iscrowd: 0 },
    ],
    categories: [
      { id: 3, name: 'c' },
      { id: 1, name: 'a' },
    ],
  };

  it('indexes annotations by image in file order and sorts the ids COCOeval uses', () => {
    const gt = new GroundTruth(dataset, 'gt.json');
    expect(gt.imgIds).toEqual([2, 5]);
    expect(gt.catIds).toEqual([1, 3]);
    expect(gt.byImage.get(5)).toEqual([0, 2]);
    expect(Array.from(gt.crowd)).toEqual([1, 0, 0]);
    expect(Array.from(gt.areas)).toEqual([4, 9, 1]);
  });

  it('names the file and the annotation when something is missing', () => {
    const bad: [unknown, RegExp][] = [
      [{ ...dataset, images: undefined }, /gt\.json: has no "images" array/],
      [{ ...dataset, images: [{ id: 5, height: 10 }] }, /image 5 needs integer height and width/],
      [
        { ...dataset, annotations: [{ ...dataset.annotations[0], image_id: 77 }] },
        /annotations\[0\] \(id 1\) names image number 77/,
      ],
      [
        { ...dataset, annotations: [{ ...dataset.annotations[0], area: undefined }] },
        /annotations\[0\] \(id 1\) has no numeric area/,
      ],
    ];
    for (const [json, message] of bad) {
      const build = () => new GroundTruth(json as never, 'gt.json');
      expect(build).toThrow(CocoEvalInputError);
      expect(build).toThrow(message);
    }
    const gt = new GroundTruth(dataset, 'gt.json');
    expect(() => gt.segmentation(0)).toThrow('gt.json: annotation 1 has no segmentation');
  });
});
