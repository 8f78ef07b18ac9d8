import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoDataset, CocoFormatError, CocoReadError } from '@tasam/coco-data';
import { CocoEvalInputError, JsonFileError, UnknownImageError } from './errors';
import { loadGroundTruthFile, loadResultsFile } from './files';

describe('loading files', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const gtJson = {
    images: [{ id: 1, file_name: 'a.jpg', height: 10, width: 10 }],
    annotations: [
      {
        id: 5,
        image_id: 1,
        category_id: 2,
        area: 4,
        bbox: [0, 0, 2, 2],
        iscrowd: 0,
        segmentation: [[0, 0, 2, 0, 2, 2, 0, 2]],
      },
    ],
    categories: [{ id: 2, name: 'b' }],
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coco-eval-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a ground truth through CocoDataset and results against it', async () => {
    const gt = await loadGroundTruthFile(file('gt.json', gtJson));
    expect(gt.source).toBe(join(dir, 'gt.json'));
    expect(gt.imgIds).toEqual([1]);
    const dt = await loadResultsFile(
      gt,
      file('r.json', [{ image_id: 1, category_id: 2, bbox: [0, 0, 2, 2], score: 1 }]),
    );
    expect(dt.count).toBe(1);
    expect(dt.source).toBe(join(dir, 'r.json'));
  });

  it('names the file for unreadable, non-JSON or wrong-shape input', async () => {
    const gt = await loadGroundTruthFile(file('gt.json', gtJson));
    const missing = join(dir, 'missing.json');
    await expect(loadResultsFile(gt, missing)).rejects.toThrow(JsonFileError);
    await expect(loadResultsFile(gt, missing)).rejects.toThrow(`${missing}: cannot read: no such file`);
    await expect(loadResultsFile(gt, dir)).rejects.toThrow(`${dir}: cannot read: is a directory`);
    const broken = file('broken.json', '[{"image_id": 1');
    await expect(loadResultsFile(gt, broken)).rejects.toThrow(new RegExp(`^${broken}: not valid JSON`));
    const object = file('object.json', { results: [] });
    await expect(loadResultsFile(gt, object)).rejects.toThrow(CocoEvalInputError);
    const unknown = file('unknown.json', [{ image_id: 2, category_id: 2, bbox: [0, 0, 1, 1], score: 1 }]);
    await expect(loadResultsFile(gt, unknown)).rejects.toThrow(UnknownImageError);
    await expect(loadGroundTruthFile(missing)).rejects.toThrow(CocoReadError);
    const badGt = file('bad-gt.json', { ...gtJson, images: [{ id: 1 }] });
    await expect(loadGroundTruthFile(badGt)).rejects.toThrow(CocoFormatError);
    await expect(loadGroundTruthFile(badGt)).rejects.toThrow(badGt);
  });

  it('parses a ground truth whole, and leaves what JSON.parse does not take to the streamed reader', async () => {
    const text = JSON.stringify(gtJson);
    const progress: number[] = [];
    const whole = await loadGroundTruthFile(file('whole.json', text), {
      onProgress: ({ bytesRead, totalBytes }) => progress.push(bytesRead, totalBytes),
    });
    expect(progress).toEqual([text.length, text.length]);
    expect(Array.from(whole.areas)).toEqual([4]);
    // a byte order mark: JSON.parse refuses it, CocoDataset's reader skips it
    const bom = await loadGroundTruthFile(file('bom.json', `\ufeff${text}`));
    expect(bom.dataset.annotations).toEqual(gtJson.annotations);
    // not JSON, or not an object: the streamed reader's own error
    for (const [name, content] of [
      ['truncated.json', text.slice(0, -20)],
      ['array.json', '[1, 2]'],
      ['empty.json', ''],
    ]) {
      const path = file(name, content);
      const want = await CocoDataset.fromFile(path).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(want).toBeInstanceOf(CocoFormatError);
      await expect(loadGroundTruthFile(path)).rejects.toThrow(want!.message);
    }
  });
});
