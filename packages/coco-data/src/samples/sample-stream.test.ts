import { join } from 'node:path';
import { CocoReadError, SampleOptionsError } from '../errors';
import { loadImageRgb } from '../image';
import { decodeMask, mergeRles, rleArea, rleIou } from '../mask';
import { nounForms } from '../task';
import type { Sample } from './sample';
import { SampleStream } from './sample-stream';

const coco = join(__dirname, '../../test/fixtures/coco');
const key = (s: Sample) =>
  JSON.stringify({
    ...s,
    target: Array.from(s.target.counts),
    ignore: s.ignore && Array.from(s.ignore.counts),
  });

describe('SampleStream', () => {
  let stream: SampleStream;
  let samples: Sample[];
  beforeAll(async () => {
    stream = await SampleStream.open({ coco, split: 'train2017', seed: 7 });
    samples = [...stream];
  });

  it('enumerates instance, category and negative samples of a split', () => {
    // 14 non-crowd instances, 2 categories present (person, boat), 1 negative.
    expect(stream.totalSize).toBe(17);
    expect(stream.size).toBe(17);
    expect(samples).toHaveLength(17);
    const kinds = samples.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'instance')).toHaveLength(14);
    expect(kinds.filter((k) => k === 'category')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'negative')).toHaveLength(1);
    expect(new Set(samples.map((s) => s.index)).size).toBe(17);
  });

  it('never targets crowd annotations', () => {
    const crowd = stream.dataset.annotations.filter((a) => a.iscrowd === 1).map((a) => a.id);
    expect(crowd).toEqual([900100204805]);
    for (const s of samples) {
      if (s.kind !== 'negative') for (const id of crowd) expect(s.annotationIds).not.toContain(id);
    }
    const people = samples.find((s) => s.kind === 'category' && s.categoryName === 'person')!;
    // The crowd region of people is handed over as an ignore mask.
    expect(people.ignore).toBeDefined();
    expect(rleArea(people.ignore!)).toBe(rleArea(stream.dataset.annToRle(900100204805)));
    expect(people.annotationIds).toHaveLength(13);
  });

  it('instance samples: 1-3 positive points on the instance, target = its mask, optional box around it', () => {
    for (const s of samples.filter((x) => x.kind === 'instance')) {
      const [id] = s.annotationIds;
      const annotation = stream.dataset.annotation(id)!;
      expect(s.categoryId).toBe(annotation.category_id);
      expect(Array.from(s.target.counts)).toEqual(Array.from(stream.dataset.annToRle(id).counts));
      expect(s.points.length).toBeGreaterThanOrEqual(1);
      expect(s.points.length).toBeLessThanOrEqual(3);
      const mask = decodeMask(s.target);
      for (const p of s.points) {
        expect(p.label).toBe(1);
        expect(mask[p.y * s.width + p.x]).toBe(1);
      }
      if (s.box) {
        const [x0, y0, x1, y1] = s.box;
        for (const p of s.points) expect(p.x >= x0 && p.x < x1 && p.y >= y0 && p.y < y1).toBe(true);
      }
    }
  });

  it('category samples: up to 3 positives on instances, up to 2 negatives outside, target = the union', () => {
    for (const s of samples.filter((x) => x.kind === 'category')) {
      const rles = s.annotationIds.map((id) => stream.dataset.annToRle(id));
      expect(rleIou([s.target], [mergeRles(rles)], [0])[0]).toBe(1);
      const target = decodeMask(s.target);
      const ignore = s.ignore ? decodeMask(s.ignore) : new Uint8Array(target.length);
      const positives = s.points.filter((p) => p.label === 1);
      const negatives = s.points.filter((p) => p.label === 0);
      expect(positives.length).toBeGreaterThanOrEqual(1);
      expect(positives.length).toBeLessThanOrEqual(3);
      expect(negatives.length).toBeLessThanOrEqual(2);
      for (const p of positives) expect(target[p.y * s.width + p.x]).toBe(1);
      for (const p of negatives) expect(target[p.y * s.width + p.x] | ignore[p.y * s.width + p.x]).toBe(0);
    }
  });

  it('negative samples: points on an instance of another category, a task for an absent one, empty target', () => {
    const present = new Set(stream.dataset.annotationsOf(204805).map((a) => a.category_id));
    for (const s of samples.filter((x) => x.kind === 'negative')) {
      expect(present.has(s.categoryId)).toBe(false);
      expect(rleArea(s.target)).toBe(0);
      expect([s.target.h, s.target.w]).toEqual([346, 500]);
      const on = decodeMask(stream.dataset.annToRle(s.annotationIds[0]));
      for (const p of s.points) expect(on[p.y * s.width + p.x]).toBe(1);
    }
  });

  it('tasks name the category', () => {
    for (const s of samples) {
      const { singular, plural } = nounForms(s.categoryName);
      expect(s.task.includes(singular) || s.task.includes(plural)).toBe(true);
    }
  });

  it('is deterministic under a seed; another seed or epoch changes order and prompts', async () => {
    const again = [...(await SampleStream.open({ coco, split: 'train2017', seed: 7 }))];
    expect(again.map(key)).toEqual(samples.map(key));
    const other = [...(await SampleStream.open({ coco, split: 'train2017', seed: 8 }))];
    expect(other.map(key)).not.toEqual(samples.map(key));
    const nextEpoch = [...new SampleStream(stream.dataset, join(coco, 'train2017'), { seed: 7, epoch: 1 })];
    expect(nextEpoch.map((s) => s.imageId + s.kind + s.annotationIds.join())).not.toEqual(
      samples.map((s) => s.imageId + s.kind + s.annotationIds.join()),
    );
    const ordered = [
      ...new SampleStream(stream.dataset, join(coco, 'train2017'), { seed: 7, shuffle: false }),
    ];
    expect(ordered.slice(0, 14).every((s) => s.kind === 'instance')).toBe(true);
  });

  it('shards split the stream into disjoint parts with identical samples', () => {
    const shards = [0, 1, 2].map(
      (index) =>
        new SampleStream(stream.dataset, join(coco, 'train2017'), { seed: 7, shard: { index, count: 3 } }),
    );
    expect(shards.map((s) => s.size)).toEqual([6, 6, 5]);
    const parts = shards.flatMap((s) => [...s]);
    expect(parts.map((s) => s.index).sort((a, b) => a - b)).toEqual(
      samples.map((s) => s.index).sort((a, b) => a - b),
    );
    const byIndex = new Map(samples.map((s) => [s.index, key(s)]));
    for (const s of parts) expect(key(s)).toBe(byIndex.get(s.index));
  });

  it('filters kinds and validates options', () => {
    const only = new SampleStream(stream.dataset, coco, { kinds: ['category'] });
    expect([...only].every((s) => s.kind === 'category')).toBe(true);
    const make = (options: object) => () => new SampleStream(stream.dataset, coco, options);
    expect(make({ shard: { index: 3, count: 3 } })).toThrow(SampleOptionsError);
    expect(make({ shard: { index: 0, count: 0 } })).toThrow(/shard.count/);
    expect(make({ kinds: ['everything'] })).toThrow(/unknown sample kind/);
    expect(make({ boxProbability: 2 })).toThrow(/boxProbability/);
    expect(() => stream.sampleAt(99)).toThrow(/outside/);
  });

  it('reports a missing split with the file it looked for', async () => {
    await expect(SampleStream.open({ coco, split: 'test2017' })).rejects.toThrow(CocoReadError);
    await expect(SampleStream.open({ coco, split: 'test2017' })).rejects.toThrow(/instances_test2017\.json/);
  });

  it('samples point at loadable images of their size', async () => {
    const s = samples[0];
    const image = await loadImageRgb(s.imagePath);
    expect([image.width, image.height]).toEqual([s.width, s.height]);
  });

  it('works on the other split too', async () => {
    const val = [...(await SampleStream.open({ coco, split: 'val2017', seed: 1, negativesPerImage: 2 }))];
    // 5 instances of 5 categories, 2 negatives.
    expect(val.map((s) => s.kind).sort()).toEqual([
      ...Array(5).fill('category'),
      ...Array(5).fill('instance'),
      'negative',
      'negative',
    ]);
  });
});
