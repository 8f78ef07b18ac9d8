import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CocoEval } from './coco-eval';
import { CocoEvalInputError, EvalOrderError } from './errors';
import { GroundTruth, type GroundTruthLike } from './ground-truth';
import { type CocoResult, loadResults } from './results';
import { defaultWorkerCount } from './worker-pool';

const fixtures = join(__dirname, '..', 'test', 'fixtures');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as T;
const gtJson = read<GroundTruthLike>('gt.json');
const segm = read<CocoResult[]>('dt_segm.json');
const both = read<CocoResult[]>('dt_both.json');
const gt = new GroundTruth(gtJson, 'gt.json');

function stats(g: GroundTruth, results: CocoResult[], iouType: 'segm' | 'bbox', params = {}): number[] {
  const ev = new CocoEval(g, loadResults(g, results), iouType, params).evaluate();
  ev.accumulate();
  return ev.summarize().stats;
}

describe('CocoEval', () => {
  it('refuses steps out of order', () => {
    const ev = new CocoEval(gt, loadResults(gt, segm), 'segm');
    expect(() => ev.accumulate()).toThrow(EvalOrderError);
    ev.evaluate();
    expect(() => ev.summarize()).toThrow('summarize');
    expect(() => ev.eval).toThrow(EvalOrderError);
  });

  it('answers per-pair questions, with null/empty where pycocotools has None/[]', () => {
    const ev = new CocoEval(gt, loadResults(gt, segm), 'segm').evaluate();
    expect(ev.evaluateImage(139, 999, 0)).toBeNull();
    expect(ev.computeIou(139, 999).dims).toEqual([0, 0]);
    const image = ev.evaluateImage(139, 1, 0)!;
    expect(image.categoryId).toBe(1);
    expect(image.dtMatches.dims).toEqual([10, image.dtIds.length]);
    const pooled = new CocoEval(gt, loadResults(gt, segm), 'segm', { useCats: false }).evaluate();
    const all = pooled.evaluateImage(139, 12345, 0)!; // the category is ignored when pooling
    expect(all.categoryId).toBe(-1);
    expect(all.gtIds.length).toBe(gtJson.annotations.filter((a) => a.image_id === 139).length);
  });

  it('evaluating a subset of imgIds equals evaluating a ground truth cut to those images', () => {
    const some = gt.imgIds.filter((_, i) => i % 3 === 0);
    const keep = new Set(some);
    const cut = new GroundTruth({
      ...gtJson,
      images: gtJson.images.filter((im) => keep.has(im.id)),
      annotations: gtJson.annotations.filter((a) => keep.has(a.image_id)),
    });
    const cutResults = segm.filter((r) => keep.has(r.image_id));
    expect(stats(gt, segm, 'segm', { imgIds: some })).toEqual(stats(cut, cutResults, 'segm'));
  });

  it('with useCats false pools categories (equal to useCats when there is one category)', () => {
    const people = new GroundTruth({
      ...gtJson,
      annotations: gtJson.annotations.filter((a) => a.category_id === 1),
    });
    const peopleResults = segm.filter((r) => r.category_id === 1);
    const pooled = stats(people, peopleResults, 'segm', { useCats: false });
    expect(pooled).toEqual(stats(people, peopleResults, 'segm'));
    expect(pooled[0]).toBeGreaterThan(0);
    // with every category, pooling changes the numbers (detections may match GT of other categories)
    expect(stats(gt, segm, 'segm', { useCats: false })).not.toEqual(stats(gt, segm, 'segm'));
  });

  it('with custom thresholds reads only what summarize can find (-1 elsewhere)', () => {
    const s = stats(gt, segm, 'segm', { iouThrs: [0.5], maxDets: [1, 10, 50] });
    expect(s[1]).toBeGreaterThan(0); // AP50 exists
    expect(s[2]).toBe(-1); // no 0.75 threshold
    expect(s[0]).toBe(-1); // the first stat asks for maxDets=100 literally, as pycocotools
  });

  describe('in worker threads', () => {
    it("starts 'auto' workers for idle cores, two at least", () => {
      // (cap, cores, 1-minute load average) -> workers besides this thread
      expect(defaultWorkerCount(3, 2, 0)).toBe(0); // one worker does not pay for its packing
      expect(defaultWorkerCount(3, 3, 0)).toBe(2);
      expect(defaultWorkerCount(3, 4, 0.4)).toBe(3);
      expect(defaultWorkerCount(3, 4, 2)).toBe(0); // one idle core besides this thread's
      expect(defaultWorkerCount(3, 16, 4)).toBe(3);
      expect(defaultWorkerCount(3, 8, 12)).toBe(0);
    });

    it.each([
      ['segm', segm],
      ['bbox', both],
      ['segm', both],
    ] as const)('gives exactly what evaluate() gives (%s)', async (iouType, results) => {
      const dt = loadResults(gt, results, 'r.json');
      const inline = new CocoEval(gt, dt, iouType).evaluate();
      const progress: number[] = [];
      const threaded = await new CocoEval(gt, dt, iouType).evaluateAsync({
        workers: 2,
        chunkPairs: 16,
        onProgress: (done) => progress.push(done),
      });
      expect(Buffer.from(threaded.pairs.flags).equals(Buffer.from(inline.pairs.flags))).toBe(true);
      expect(threaded.instanceMiou()).toEqual(inline.instanceMiou());
      // alone, this thread evaluates image by image, as evaluate() does; workers take category-ordered chunks
      const alone = await new CocoEval(gt, dt, iouType).evaluateAsync({ workers: 0, chunkPairs: 16 });
      expect(Buffer.from(alone.pairs.flags).equals(Buffer.from(inline.pairs.flags))).toBe(true);
      threaded.accumulate();
      inline.accumulate();
      expect(threaded.summarize()).toEqual(inline.summarize());
      expect(progress[progress.length - 1]).toBe(inline.pairs.count);
    });

    it('reports a broken mask with the file and result index, as on the main thread', async () => {
      const broken = segm.map((r, i) =>
        i === 5 ? { ...r, segmentation: { ...(r.segmentation as object), counts: 'bad ~ counts' } } : r,
      ) as CocoResult[];
      const dt = loadResults(gt, broken, 'r.json');
      expect(() => new CocoEval(gt, dt, 'segm').evaluate()).toThrow(
        /^r\.json: result 5: RLE .*outside the codec/,
      );
      const threaded = new CocoEval(gt, dt, 'segm').evaluateAsync({ workers: 2, chunkPairs: 8 });
      await expect(threaded).rejects.toThrow(CocoEvalInputError);
      await expect(new CocoEval(gt, dt, 'segm').evaluateAsync({ workers: 1 })).rejects.toThrow(
        /^r\.json: result 5: RLE/,
      );
    });
  });
});
