import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoFormatError } from '../errors';
import { compressRle, decodeMask, rleArea, rleFromPolygon, rleToBbox } from '../mask';
import { CocoDataset, isCrowd } from './coco-dataset';
import type { CocoInstances } from './types';

const trainFile = join(__dirname, '../../test/fixtures/coco/annotations/instances_train2017.json');
const fixture = (): CocoInstances => JSON.parse(readFileSync(trainFile, 'utf8'));

describe('CocoDataset', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coco-data-dataset-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads and indexes an instances file', async () => {
    const coco = await CocoDataset.fromFile(trainFile);
    expect(coco.source).toBe(trainFile);
    expect(coco.images).toHaveLength(1);
    expect(coco.categories).toHaveLength(80);
    expect(coco.annotations).toHaveLength(15);
    expect(coco.image(204805)?.file_name).toBe('000000204805.jpg');
    expect(coco.category(9)?.name).toBe('boat');
    expect(coco.annotationsOf(204805)).toHaveLength(15);
    expect(coco.annotationsOf(1)).toEqual([]);
    expect(coco.annotationIds({ categoryIds: [9] })).toEqual([180595]);
    expect(coco.annotationIds({ iscrowd: true })).toEqual([900100204805]);
    expect(coco.annotationIds({ categoryIds: [1], areaRange: [0, 300] })).toEqual([1266284, 1278604]);
    expect(coco.imageIds({ categoryIds: [1, 9] })).toEqual([204805]);
    expect(coco.imageIds({ categoryIds: [2] })).toEqual([]);
    expect(coco.categoryIds({ names: ['person', 'boat'] })).toEqual([1, 9]);
    expect(coco.categoryIds({ supercategories: ['animal'] })).toHaveLength(10);
  });

  it('keeps the parsed arrays instead of copying them', () => {
    const json = fixture();
    const coco = CocoDataset.fromJson(json, 'x.json');
    expect(coco.annotations).toBe(json.annotations);
    expect(coco.annotation(180595)).toBe(json.annotations[0]);
  });

  it('turns polygons and crowd RLEs into masks as annToRLE does', async () => {
    const coco = await CocoDataset.fromFile(trainFile);
    const boat = coco.annotation(180595)!;
    const polygons = boat.segmentation as number[][];
    const rle = coco.annToRle(boat);
    expect([rle.h, rle.w]).toEqual([346, 500]);
    if (polygons.length === 1) expect(rle.counts).toEqual(rleFromPolygon(polygons[0], 346, 500).counts);
    // Pixel area is close to the polygon area COCO stores; the box matches COCO's to a pixel.
    expect(Math.abs(rleArea(rle) - boat.area!) / boat.area!).toBeLessThan(0.05);
    for (const [i, v] of rleToBbox(rle).entries())
      expect(Math.abs(v - boat.bbox![i])).toBeLessThanOrEqual(1.5);
    const crowd = coco.annotation(900100204805)!;
    expect(isCrowd(crowd)).toBe(true);
    const crowdRle = coco.annToRle(crowd.id);
    // COCO's stored area of crowd regions is not always their pixel count (1307 vs 1172 here).
    expect(Math.abs(rleArea(crowdRle) - crowd.area!) / crowd.area!).toBeLessThan(0.15);
    const mask = coco.annToMask(crowd.id);
    expect(mask).toEqual(decodeMask(crowdRle));
    expect(mask.reduce((sum, v) => sum + v, 0)).toBe(rleArea(crowdRle));
    expect(() => coco.annToRle(12345)).toThrow(/no annotation with id number 12345/);
  });

  it('keeps the RLE own size, and compressed RLEs work', () => {
    const json = fixture();
    const crowd = json.annotations.find((a) => a.iscrowd === 1)!;
    const compressed = compressRle(CocoDataset.fromJson(json).annToRle(crowd));
    crowd.segmentation = compressed;
    const coco = CocoDataset.fromJson(json);
    expect(compressRle(coco.annToRle(crowd))).toEqual(compressed);
  });

  describe('malformed input gives CocoFormatError naming the file, the annotation and the problem', () => {
    const cases: [string, (json: CocoInstances) => void, RegExp][] = [
      [
        'unknown category',
        (j) => {
          j.annotations[1].category_id = 999;
        },
        /annotation 1228478: category_id number 999 is not a known category/,
      ],
      [
        'unknown image',
        (j) => {
          j.annotations[0].image_id = 5;
        },
        /annotation 180595: image_id number 5 is not a known image/,
      ],
      [
        'odd polygon',
        (j) => {
          (j.annotations[1].segmentation as number[][])[0].pop();
        },
        /annotation 1228478: polygon 0 has an odd number of coordinates \(25\)/,
      ],
      [
        'non-numeric coordinate',
        (j) => {
          (j.annotations[1].segmentation as unknown[][])[0][3] = 'x';
        },
        /annotation 1228478: polygon 0 value 3 is "x"/,
      ],
      [
        'missing segmentation',
        (j) => {
          delete (j.annotations[2] as Partial<CocoInstances['annotations'][0]>).segmentation;
        },
        /annotation 1236622: segmentation is missing/,
      ],
      [
        'negative box size',
        (j) => {
          j.annotations[0].bbox![2] = -4;
        },
        /annotation 180595: bbox .* has a negative width or height/,
      ],
      [
        'negative image size',
        (j) => {
          j.images[0].width = -500;
        },
        /size number -500 x number 346, expected positive integers/,
      ],
      [
        'missing image file name',
        (j) => {
          delete (j.images[0] as Partial<CocoInstances['images'][0]>).file_name;
        },
        /file_name is undefined/,
      ],
      [
        'RLE of the wrong size',
        (j) => {
          (j.annotations[14].segmentation as { size: number[] }).size = [346, 501];
        },
        /annotation 900100204805: RLE size \[346, 501\] differs from the image's \[346, 500\]/,
      ],
      [
        'RLE with negative counts',
        (j) => {
          (j.annotations[14].segmentation as { counts: number[] }).counts[1] = -3;
        },
        /annotation 900100204805: RLE count 1 is number -3/,
      ],
      [
        'duplicate annotation id',
        (j) => {
          j.annotations[1].id = 180595;
        },
        /annotation 180595: duplicate annotation id/,
      ],
      [
        'missing annotations',
        (j) => {
          delete (j as Partial<CocoInstances>).annotations;
        },
        /annotations is missing or not an array/,
      ],
      [
        'first polygon of 4 values',
        (j) => {
          (j.annotations[1].segmentation as number[][])[0] = [1, 2, 3, 4];
        },
        /annotation 1228478: polygon 0 has 4 coordinates/,
      ],
    ];
    for (const [name, corrupt, message] of cases) {
      it(name, () => {
        const json = fixture();
        corrupt(json);
        let caught: unknown;
        try {
          CocoDataset.fromJson(json, 'instances_train2017.json');
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(CocoFormatError);
        expect((caught as Error).message).toMatch(/^instances_train2017\.json: /);
        expect((caught as Error).message).toMatch(message);
      });
    }

    it('collects several problems without throwing through validate()', () => {
      const json = fixture();
      json.annotations[0].category_id = 999;
      json.annotations[5].category_id = 998;
      const problems = CocoDataset.validate(json);
      expect(problems.map((p) => p.annotationId)).toEqual([180595, 1266284]);
      expect(problems[0].path).toBe('annotations[0].category_id');
      expect(() => CocoDataset.fromJson(json, 'f.json')).toThrow(/\(and 1 more problems\)/);
      expect(CocoDataset.validate(fixture())).toEqual([]);
    });

    it('truncated files', async () => {
      const path = join(dir, 'instances_cut.json');
      writeFileSync(path, readFileSync(trainFile).subarray(0, 5000));
      await expect(CocoDataset.fromFile(path)).rejects.toThrow(CocoFormatError);
      await expect(CocoDataset.fromFile(path)).rejects.toThrow(/instances_cut\.json: truncated JSON/);
    });
  });
});
