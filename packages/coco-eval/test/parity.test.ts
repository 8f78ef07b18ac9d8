import { readFileSync } from 'node:fs';
import { CocoDataset } from '@tasam/coco-data';
import { CocoEval, GroundTruth, loadResults } from '../src';
import { type EvalRef, fixturePath, type RefCase, readFixture, refCases } from './fixtures';

// Parity with pycocotools 2.0.11 on the reference case: the 12 stats, the printed summary, per-category AP,
// precision [T,R,K,A,M] at area all / maxDets 100 and recall [T,K,A,M].

const gt = new GroundTruth(CocoDataset.fromJson(readFixture('gt.json'), 'gt.json'));
const stats = readFixture<Record<RefCase, number[]>>('stats.json');
const evalRef = readFixture<Record<RefCase, EvalRef>>('eval_ref.json.gz');
const evaluated = new Map<RefCase, CocoEval>();

function run(name: RefCase): CocoEval {
  let ev = evaluated.get(name);
  if (!ev) {
    const { results, iouType } = refCases[name];
    ev = new CocoEval(gt, loadResults(gt, readFixture(results), results), iouType);
    ev.evaluate();
    ev.accumulate();
    evaluated.set(name, ev);
  }
  return ev;
}

const names = Object.keys(refCases) as RefCase[];

describe.each(names)('%s against pycocotools', (name) => {
  it('gives the 12 stats within 1e-12 (bit for bit in fact)', () => {
    const { stats: ours } = run(name).summarize();
    expect(ours).toHaveLength(12);
    for (const [i, value] of ours.entries())
      expect(Math.abs(value - stats[name][i])).toBeLessThanOrEqual(1e-12);
    expect(ours).toEqual(stats[name]);
  });

  it('prints the same summary lines', () => {
    const printed = readFileSync(fixturePath(`stats_${name}.txt`), 'utf8')
      .trimEnd()
      .split('\n');
    expect(run(name).summarize().lines).toEqual(printed);
  });

  it('evaluates the categories of the GT file in sorted order', () => {
    expect(run(name).params.catIds).toEqual(evalRef[name].catIds);
  });

  it('gives per-category AP at area all, maxDets 100', () => {
    const ref = evalRef[name].per_category_AP_all_100;
    const ours = run(name).perCategoryAp();
    for (const { categoryId, ap } of ours) {
      if (categoryId in ref) expect(Math.abs(ap - ref[categoryId])).toBeLessThanOrEqual(1e-12);
      else expect(ap).toBe(-1); // no GT instance: pycocotools leaves -1 and the reference omits it
    }
    expect(ours.filter((c) => c.ap > -1).length).toBe(Object.keys(ref).length);
  });

  it('gives the precision array (area all, maxDets 100) for every category', () => {
    const ev = run(name);
    const { data, dims } = ev.eval.precision;
    const [T, R, K, A, M] = dims;
    expect([T, R, K, A, M]).toEqual([10, 101, 80, 4, 3]);
    const ours: Record<string, number[][]> = {};
    for (const catId of Object.keys(evalRef[name].precision_all_100)) {
      const k = ev.params.catIds.indexOf(Number(catId));
      ours[catId] = Array.from({ length: T }, (_, t) =>
        Array.from({ length: R }, (_, r) => data[(((t * R + r) * K + k) * A + 0) * M + (M - 1)]),
      );
    }
    expect(ours).toEqual(evalRef[name].precision_all_100);
  });

  it('gives the whole recall array', () => {
    const { data, dims } = run(name).eval.recall;
    expect(Array.from(data)).toEqual(evalRef[name].recall.flat(3));
    expect(dims).toEqual([10, 80, 4, 3]);
  });
});
