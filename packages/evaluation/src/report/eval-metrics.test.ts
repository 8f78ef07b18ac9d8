import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressRle, encodeMask } from '@tasam/coco-data';
import { GroundTruth } from '@tasam/coco-eval';
import { mergeMiou } from '../protocols/point-protocols';
import type { TextImageResult } from '../protocols/text-protocol';
import { readParts } from './eval-part';
import { reportMarkdown } from './eval-report';
import { textMetrics, textResults } from './text-metrics';

const summary = (overall: number, n: number, small = Number.NaN, ns = 0) => ({
  overall,
  small,
  medium: Number.NaN,
  large: overall,
  count: { overall: n, small: ns, medium: 0, large: n - ns },
});

describe('mergeMiou', () => {
  it('pools shard means weighted by their counts, bucket by bucket, NaN for empty buckets', () => {
    const merged = mergeMiou([summary(0.5, 2, 0.2, 1), summary(0.8, 6)]);
    expect(merged.overall).toBeCloseTo((0.5 * 2 + 0.8 * 6) / 8, 12);
    expect(merged.small).toBeCloseTo(0.2, 12);
    expect(merged.count).toEqual({ overall: 8, small: 1, medium: 0, large: 7 });
    expect(merged.medium).toBeNaN();
  });
});

// A 20x20 image with two squares of category 1 and one of category 2.
function square(x: number, y: number, s: number): Uint8Array {
  const m = new Uint8Array(400);
  for (let r = y; r < y + s; r++) for (let c = x; c < x + s; c++) m[r * 20 + c] = 1;
  return m;
}
const rle = (m: Uint8Array) => compressRle(encodeMask(m, 20, 20));
const gtJson = {
  images: [{ id: 7, width: 20, height: 20, file_name: 'x.jpg' }],
  categories: [
    { id: 1, name: 'cat' },
    { id: 2, name: 'dog' },
  ],
  annotations: [
    {
      id: 1,
      image_id: 7,
      category_id: 1,
      area: 16,
      iscrowd: 0,
      bbox: [0, 0, 4, 4],
      segmentation: rle(square(0, 0, 4)),
    },
    {
      id: 2,
      image_id: 7,
      category_id: 1,
      area: 25,
      iscrowd: 0,
      bbox: [10, 10, 5, 5],
      segmentation: rle(square(10, 10, 5)),
    },
    {
      id: 3,
      image_id: 7,
      category_id: 2,
      area: 9,
      iscrowd: 0,
      bbox: [0, 12, 3, 3],
      segmentation: rle(square(0, 12, 3)),
    },
  ],
};

describe('text protocol results and metrics', () => {
  const image: TextImageResult = {
    imageId: 7,
    present: [1],
    plain: [
      { rle: rle(square(0, 0, 4)), score: 0.9 },
      { rle: rle(square(0, 12, 3)), score: 0.8 },
    ],
    tasam: {
      1: [
        { rle: rle(square(0, 0, 4)), score: 0.95 },
        { rle: rle(square(10, 10, 5)), score: 0.9 },
      ],
    },
    ms: 1,
    loraMs: 0,
  };

  it('labels plain masks with every prompted category and tasam masks with their own task', () => {
    expect(textResults([image], 'referring', 'plain', [1, 2]).map((r) => r.category_id)).toEqual([1, 1]);
    expect(textResults([image], 'detection', 'plain', [1, 2]).map((r) => r.category_id)).toEqual([
      1, 1, 2, 2,
    ]);
    expect(textResults([image], 'detection', 'tasam', [1, 2]).map((r) => r.category_id)).toEqual([1, 1]);
  });

  it('gives AP 1 for exact masks and less for plain masks under the wrong labels', () => {
    const gt = new GroundTruth(gtJson);
    const tasam = textMetrics(gt, textResults([image], 'referring', 'tasam', [1]), [7], [1], 'tasam', 0.5);
    expect(tasam.stats[0]).toBeCloseTo(1, 12);
    expect(tasam.perCategoryAp).toEqual([{ categoryId: 1, name: 'cat', ap: 1 }]);
    expect(tasam.instanceMiou.all.miou).toBe(1);
    expect(tasam.categoryMaskMiou.miou).toBe(1);
    expect(tasam.prCurve.precisionAt50.every((p) => p === 1)).toBe(true);
    const plain = textMetrics(
      gt,
      textResults([image], 'detection', 'plain', [1, 2]),
      [7],
      [1, 2],
      'plain',
      0.5,
    );
    expect(plain.stats[0]).toBeLessThan(1);
    expect(plain.results).toBe(4);
  });
});

describe('readParts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tasam-eval-parts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const part = (index: number, count: number, seed = 0) => ({
    format: 'tasam-eval-part',
    version: 1,
    settings: { split: 'val2017', seed, protocols: ['click'], categoryIds: [1] },
    shard: { index, count },
    allImageIds: [1, 2],
    imageIds: [index + 1],
    wallMs: 1,
  });

  it('names the missing shards', async () => {
    writeFileSync(join(dir, 'eval-shard-001-of-003.json'), JSON.stringify(part(1, 3)));
    await expect(readParts(dir)).rejects.toThrow(`${dir}: missing shards 0/3, 2/3`);
  });

  it('names a shard run with other settings and a file that is not a shard', async () => {
    writeFileSync(join(dir, 'eval-shard-000-of-002.json'), JSON.stringify(part(0, 2)));
    writeFileSync(join(dir, 'eval-shard-001-of-002.json'), JSON.stringify(part(1, 2, 5)));
    await expect(readParts(dir)).rejects.toThrow('eval-shard-001-of-002.json: has other settings or images');
    writeFileSync(join(dir, 'eval-shard-001-of-002.json'), '{"format":"x"}');
    await expect(readParts(dir)).rejects.toMatchObject({ code: 'EVAL_INPUT_INVALID' });
  });

  it('returns complete shards in index order', async () => {
    writeFileSync(join(dir, 'eval-shard-001-of-002.json'), JSON.stringify(part(1, 2)));
    writeFileSync(join(dir, 'eval-shard-000-of-002.json'), JSON.stringify(part(0, 2)));
    expect((await readParts(dir)).map((p) => p.shard.index)).toEqual([0, 1]);
  });
});

describe('reportMarkdown', () => {
  it('puts plain, tasam and the difference in one row per metric', () => {
    const md = reportMarkdown(
      {
        settings: {
          coco: '/c',
          split: 'val2017',
          protocols: ['click'],
          seed: 0,
          grid: 8,
          scoreThreshold: 0.5,
          taskScoreThreshold: null,
          taskRelativeThreshold: null,
          checkpoint: 'ck',
          checkpointId: 'abc',
          limit: null,
          categoryIds: [1],
        },
        images: 2,
        shards: 1,
        click: { plain: summary(0.5, 4), tasam: summary(0.625, 4) },
        imageTimings: { 1: { pointMs: 10 } },
        wallMs: 1000,
      },
      'tasam eval --protocol click',
    );
    expect(md).toContain('| click | mIoU all (4) | 0.500 | 0.625 | +0.125 |');
    expect(md).toContain('`tasam eval --protocol click`');
  });
});
