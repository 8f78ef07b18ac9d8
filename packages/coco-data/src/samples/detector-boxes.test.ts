import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoDataset } from '../coco';
import { CocoFormatError, CocoReadError, SampleOptionsError } from '../errors';
import { type DetectorBox, matchDetectorBoxes, readDetectorBoxes } from './detector-boxes';
import { SampleStream } from './sample-stream';

const coco = join(__dirname, '../../test/fixtures/coco');
const IMAGE = 204805; // 500 x 346: a boat (180595), 13 people and a crowd of people
const det = (category_id: number, bbox: number[], image_id = IMAGE): DetectorBox => ({
  image_id,
  category_id,
  bbox,
  score: 0.5,
});

describe('matchDetectorBoxes', () => {
  let dataset: CocoDataset;
  beforeAll(async () => {
    dataset = await CocoDataset.fromFile(join(coco, 'annotations', 'instances_train2017.json'));
  });

  it('gives each detection to the same-category instance it overlaps most, at IoU 0.5 or more', () => {
    const boat = dataset.annotation(180595)!.bbox!;
    const matched = matchDetectorBoxes(dataset, [
      det(9, [boat[0] + 10, boat[1] + 5, boat[2] - 20, boat[3] - 10]), // the boat, a little tight
      det(
        9,
        boat.map((v) => v),
      ), // the boat exactly: a second box of the same instance
      det(
        1,
        boat.map((v) => v),
      ), // a "person" on the boat's box: no person overlaps it enough
      det(9, [400, 300, 50, 40]), // nothing there
    ]);
    expect([...matched.keys()]).toEqual([180595]);
    const [x, y, w, h] = boat;
    expect(matched.get(180595)).toEqual([
      [x + 10, y + 5, x + w - 10, y + h - 5],
      [x, y, x + w, y + h],
    ]);
  });

  it('picks the best of neighbouring instances, never a crowd region, and clips boxes to the image', () => {
    const person = dataset.annotation(1228478)!.bbox!; // 404,170 28x34, beside 1236622 and the crowd
    const shifted = [person[0] + 2, person[1], person[2], person[3]];
    const crowd = dataset.annotation(900100204805)!.bbox!;
    const matched = matchDetectorBoxes(dataset, [
      det(1, shifted),
      det(
        1,
        crowd.map((v) => v),
      ),
    ]);
    expect(matched.get(1228478)).toHaveLength(1);
    expect(matched.has(900100204805)).toBe(false);
    const edge = matchDetectorBoxes(dataset, [det(9, [-20, 92, 501, 194])]);
    expect(edge.get(180595)?.[0][0]).toBe(0);
    expect(edge.get(180595)?.[0][2]).toBe(481);
  });

  it('ignores detections of other images but refuses a file with none of this split', () => {
    expect(matchDetectorBoxes(dataset, [det(9, [5, 92, 481, 194]), det(9, [5, 92, 481, 194], 1)]).size).toBe(
      1,
    );
    expect(() => matchDetectorBoxes(dataset, [det(9, [5, 92, 481, 194], 1)])).toThrow(SampleOptionsError);
    expect(() => matchDetectorBoxes(dataset, [det(9, [5, 92, 0, 194])])).toThrow(/positive size/);
    expect(() => matchDetectorBoxes(dataset, [{ ...det(9, [5, 92, 4, 4]), image_id: 1.5 }])).toThrow(
      /integers/,
    );
  });
});

describe('box-only samples with detector boxes', () => {
  it('prompt the instances the detector found with its boxes, the others with jittered boxes', async () => {
    const boat = [5.45, 92.22, 481.04, 194.13];
    const found = det(9, [boat[0] + 12, boat[1] + 3, boat[2] - 30, boat[3] - 8]);
    const stream = await SampleStream.open({
      coco,
      split: 'train2017',
      seed: 3,
      boxOnlyProbability: 1,
      detectorBoxes: [found],
    });
    const instances = [...stream].filter((s) => s.kind === 'instance');
    expect(instances).toHaveLength(14);
    for (const s of instances) {
      expect(s.points).toEqual([]);
      expect(s.box).toBeDefined();
    }
    const boatSample = instances.find((s) => s.annotationIds[0] === 180595)!;
    const [x, y, w, h] = found.bbox;
    expect(boatSample.box).toEqual([x, y, x + w, y + h]);
    // Without detector boxes the same sample's box is jittered around the ground truth instead.
    const plain = await SampleStream.open({ coco, split: 'train2017', seed: 3, boxOnlyProbability: 1 });
    const jittered = [...plain].find((s) => s.kind === 'instance' && s.annotationIds[0] === 180595)!;
    expect(jittered.box).not.toEqual(boatSample.box);
  });
});

describe('readDetectorBoxes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tasam-detector-boxes-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a COCO bbox results file', async () => {
    const path = file('ok.json', JSON.stringify([det(9, [5, 92, 481, 194])]));
    expect(await readDetectorBoxes(path)).toEqual([det(9, [5, 92, 481, 194])]);
  });

  it('names the file and the problem of a missing, malformed or mistyped file', async () => {
    await expect(readDetectorBoxes(join(dir, 'missing.json'))).rejects.toThrow(CocoReadError);
    const truncated = file('truncated.json', '[{"image_id": 1');
    await expect(readDetectorBoxes(truncated)).rejects.toThrow(CocoFormatError);
    await expect(readDetectorBoxes(truncated)).rejects.toThrow(/truncated\.json: not JSON/);
    const object = file('object.json', '{"annotations": []}');
    await expect(readDetectorBoxes(object)).rejects.toThrow(/expected a JSON array/);
    const bad = file(
      'bad.json',
      JSON.stringify([det(9, [1, 2, 3, 4]), { image_id: 1, category_id: 2, bbox: [1] }]),
    );
    await expect(readDetectorBoxes(bad)).rejects.toThrow(/bad\.json: detection 1: bbox must be 4/);
  });
});
