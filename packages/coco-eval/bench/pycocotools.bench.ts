/**
 * `tasam coco-eval` against pycocotools 2.0.11, side by side in one run, on the COCO-val-sized case (the
 * reference case of test/fixtures replicated 250 times: 5,000 images, 87,000 GT instances, 132,250 results,
 * as masks for segm and as boxes for bbox). Each run is a fresh process on each side, doing what a user
 * runs: load the GT and the results, evaluate, accumulate, summarize. The sides alternate (the order rotates
 * each repetition) so that load on a shared machine falls on both; medians, ratios, peak RSS, and whether
 * the 12 stats and the per-category AP are identical.
 *
 *   pnpm --filter @tasam/coco-eval bench:pycocotools -- --python /path/to/venv/bin/python [--runs 3]
 *     [--iou-types segm,bbox] [--workers 0,auto] [--case PREFIX] [--scale 250] [--cli PATH]
 *
 * --python: a Python with pycocotools 2.0.11 (and numpy 1.24 for bit-identical means; see the README); or
 *   TASAM_PYCOCOTOOLS_PYTHON. Without one the reference is skipped, with a message, and only tasam runs.
 * --workers: the `tasam coco-eval --workers` settings to time: 0 is this thread only (pycocotools is
 *   single-threaded), auto the CLI's default (worker threads for idle cores).
 * --case PREFIX: PREFIX_gt.json, PREFIX_segm.json, PREFIX_bbox.json, written from test/fixtures (times
 *   --scale) when missing; default in the OS temp directory.
 * --cli: the tasam CLI (default: apps/cli/dist/bin.js of this repository); when it is not built, a child
 *   process doing the same through this package's API stands in, and the bench says so.
 *
 * Columns: wall and CPU seconds (user + system, all threads) and peak RSS of each process, medians over the
 * runs (RSS: the largest); x faster (wall) and x (CPU) divide pycocotools' median by the side's; x (wall,
 * per run) is the median of the ratios within each repetition, less skewed by load that comes and goes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CocoEval,
  defaultWorkerCount,
  type IouType,
  loadGroundTruthFile,
  loadResultsFile,
  pythonFixed,
} from '../src';

/** What each side reports: the CLI's --json object plus timings. */
interface Report {
  stats: number[];
  perCategory: Record<string, number>;
}

interface Run {
  side: string;
  /** For --workers auto: how many workers the CLI's rule gives at the moment the run starts. */
  note?: string;
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  report: Report;
}

const packageRoot = resolve(__dirname, '..', '..');
const repoRoot = resolve(packageRoot, '..', '..');

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const say = (line = '') => process.stdout.write(`${line}\n`);

/** The reference case times k under new image and annotation ids (as /work/shared/tools/scale-coco-case.mjs). */
function writeScaledCase(prefix: string, k: number): void {
  const fixture = (name: string) =>
    JSON.parse(readFileSync(join(packageRoot, 'test', 'fixtures', name), 'utf8'));
  const gt = fixture('gt.json');
  const stride = Math.max(...gt.images.map((im: { id: number }) => im.id)) + 1;
  const images: unknown[] = [];
  const annotations: unknown[] = [];
  let annId = 1;
  for (let r = 0; r < k; r++) {
    for (const im of gt.images) images.push({ ...im, id: im.id + r * stride });
    for (const a of gt.annotations)
      annotations.push({ ...a, image_id: a.image_id + r * stride, id: annId++ });
  }
  writeFileSync(`${prefix}_gt.json`, JSON.stringify({ ...gt, images, annotations }));
  for (const kind of ['segm', 'bbox']) {
    const dt = fixture(`dt_${kind}.json`);
    const results: unknown[] = [];
    for (let r = 0; r < k; r++) for (const d of dt) results.push({ ...d, image_id: d.image_id + r * stride });
    writeFileSync(`${prefix}_${kind}.json`, JSON.stringify(results));
  }
  say(`wrote ${prefix}_{gt,segm,bbox}.json: ${images.length} images, ${annotations.length} GT instances`);
}

/** The Python to use, with its pycocotools and numpy versions; null (and why) when there is none. */
function findPython(): { python: string; versions: string } | { skipped: string } {
  const python = argument('python') ?? process.env.TASAM_PYCOCOTOOLS_PYTHON;
  const setup =
    'e.g. python3 -m venv /tmp/pycoco && /tmp/pycoco/bin/pip install pycocotools==2.0.11 numpy==1.24.4, then --python /tmp/pycoco/bin/python';
  if (!python) return { skipped: `no --python given (nor TASAM_PYCOCOTOOLS_PYTHON); ${setup}` };
  const probe = spawnSync(
    python,
    ['-c', 'import importlib.metadata as m, numpy; print(m.version("pycocotools"), numpy.__version__)'],
    { encoding: 'utf8' },
  );
  if (probe.error || probe.status !== 0)
    return {
      skipped: `${python} cannot import pycocotools (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); ${setup}`,
    };
  const [pycocotools, numpy] = probe.stdout.trim().split(' ');
  return { python, versions: `pycocotools ${pycocotools}, numpy ${numpy}` };
}

function runPycocotools(python: string, gt: string, results: string, iouType: IouType): Run {
  const script = join(packageRoot, 'bench', 'pycocotools-reference.py');
  const t0 = performance.now();
  const run = spawnSync(python, [script, gt, results, iouType], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const wallS = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`pycocotools run failed:\n${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
  return { side: 'pycocotools', wallS, cpuS: out.cpuS, peakRssMb: out.peakRssMb, report: out };
}

function runTasam(cli: string | null, gt: string, results: string, iouType: IouType, workers: string): Run {
  const dir = mkdtempSync(join(tmpdir(), 'coco-eval-bench-'));
  const usageFile = join(dir, 'rusage.json');
  const args = cli
    ? ['--require', join(__dirname, 'rusage-hook.js'), cli, 'coco-eval']
    : ['--require', join(__dirname, 'rusage-hook.js'), __filename, '--child'];
  args.push('--gt', gt, '--results', results, '--iou-type', iouType, '--json');
  if (workers !== 'auto') args.push('--workers', workers);
  const note = workers === 'auto' ? `(auto: ${defaultWorkerCount()} workers at start)` : undefined;
  const t0 = performance.now();
  const run = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    env: { ...process.env, TASAM_BENCH_RUSAGE_FILE: usageFile },
  });
  const wallS = (performance.now() - t0) / 1000;
  try {
    if (run.status !== 0) throw new Error(`tasam coco-eval failed:\n${run.stderr}`);
    const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as Report;
    return {
      side: `tasam --workers ${workers}`,
      note,
      wallS,
      cpuS: usage.cpuS,
      peakRssMb: usage.peakRssMb,
      report,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stands in for the CLI when it is not built: the same steps through the package API, the same --json. */
async function child(): Promise<void> {
  const gt = await loadGroundTruthFile(argument('gt')!);
  const dt = await loadResultsFile(gt, argument('results')!);
  const workersArg = argument('workers');
  const ev = await new CocoEval(gt, dt, argument('iou-type') as IouType).evaluateAsync({
    workers: workersArg === undefined ? 'auto' : Number(workersArg),
  });
  ev.accumulate();
  const report: Report = {
    stats: ev.summarize().stats,
    perCategory: Object.fromEntries(
      ev
        .perCategoryAp()
        .filter((c) => c.ap > -1)
        .map((c) => [String(c.categoryId), c.ap]),
    ),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** "bit for bit", "to the printed digits" or what differs, between a tasam report and pycocotools'. */
function compare(ours: Report, reference: Report): { same: 'bitwise' | 'printed' | 'no'; detail: string } {
  const keys = Object.keys(reference.perCategory);
  const oursKeys = Object.keys(ours.perCategory);
  if (ours.stats.length !== 12 || reference.stats.length !== 12 || keys.length !== oursKeys.length)
    return { same: 'no', detail: 'different shapes' };
  const bitwise =
    ours.stats.every((v, i) => Object.is(v, reference.stats[i])) &&
    keys.every((k) => Object.is(ours.perCategory[k], reference.perCategory[k]));
  if (bitwise) return { same: 'bitwise', detail: `12 stats and ${keys.length} per-category AP bit for bit` };
  const printed = ours.stats.every((v, i) => pythonFixed(v, 3) === pythonFixed(reference.stats[i], 3));
  const differing = ours.stats
    .map((v, i) => (Object.is(v, reference.stats[i]) ? '' : `stats[${i}] ${v} vs ${reference.stats[i]}`))
    .filter(Boolean);
  const categories = keys.filter((k) => !Object.is(ours.perCategory[k], reference.perCategory[k])).length;
  return {
    same: printed ? 'printed' : 'no',
    detail: `${differing.join(', ') || 'stats bit for bit'}; ${categories} per-category AP differ`,
  };
}

function main(): void {
  const runs = Number(argument('runs') ?? 3);
  const iouTypes = (argument('iou-types') ?? 'segm,bbox').split(',') as IouType[];
  const workerSettings = (argument('workers') ?? '0,auto').split(',');
  const scale = Number(argument('scale') ?? 250);
  const prefix = argument('case') ?? join(tmpdir(), `tasam-coco-eval-x${scale}`);
  if (!existsSync(`${prefix}_gt.json`) || !iouTypes.every((t) => existsSync(`${prefix}_${t}.json`)))
    writeScaledCase(prefix, scale);
  const cliArg = argument('cli') ?? join(repoRoot, 'apps', 'cli', 'dist', 'bin.js');
  const cli = existsSync(cliArg) ? cliArg : null;
  const python = findPython();

  say(`coco-eval vs pycocotools: ${prefix}_{gt,${iouTypes.join(',')}}.json, ${runs} runs per side`);
  say(
    cli
      ? `tasam: ${process.execPath} ${cli} coco-eval ... --json (Node ${process.version})`
      : `tasam: the CLI is not built (${cliArg}; pnpm --filter @tasam/cli build), so a child process does the same through this package's API`,
  );
  say(
    'python' in python
      ? `pycocotools: ${python.python} bench/pycocotools-reference.py (${python.versions})`
      : `pycocotools reference skipped: ${python.skipped}`,
  );
  const loads = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  say(`load average at start: ${loads()}`);

  let failed = false;
  for (const iouType of iouTypes) {
    const gt = `${prefix}_gt.json`;
    const results = `${prefix}_${iouType}.json`;
    const sides: (() => Run)[] = workerSettings.map((w) => () => runTasam(cli, gt, results, iouType, w));
    if ('python' in python) sides.unshift(() => runPycocotools(python.python, gt, results, iouType));
    const bySide = new Map<string, Run[]>();
    say();
    say(`${iouType}:`);
    for (let r = 0; r < runs; r++) {
      // rotate the order each repetition: no side always runs first, or right after the slow one
      for (let s = 0; s < sides.length; s++) {
        const run = sides[(s + r) % sides.length]();
        bySide.set(run.side, [...(bySide.get(run.side) ?? []), run]);
        say(
          `  run ${r + 1} ${run.side.padEnd(20)} ${run.wallS.toFixed(2).padStart(7)} s wall ${run.cpuS.toFixed(2).padStart(7)} s CPU ${run.peakRssMb.toFixed(0).padStart(5)} MB peak RSS ${run.note ?? ''}`.trimEnd(),
        );
      }
    }
    const reference = bySide.get('pycocotools');
    const refWall = reference ? median(reference.map((r) => r.wallS)) : Number.NaN;
    const refCpu = reference ? median(reference.map((r) => r.cpuS)) : Number.NaN;
    say(`  ${iouType} medians (load average now ${loads()}):`);
    say(
      `  ${'side'.padEnd(20)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'peak RSS MB'.padStart(12)} ${'x faster (wall)'.padStart(16)} ${'x (CPU)'.padStart(8)} ${'x (wall, per run)'.padStart(18)}   same numbers as pycocotools`,
    );
    for (const [side, list] of bySide) {
      const wall = median(list.map((r) => r.wallS));
      const cpu = median(list.map((r) => r.cpuS));
      const rss = Math.max(...list.map((r) => r.peakRssMb));
      let same = '';
      if (reference && side !== 'pycocotools') {
        const verdicts = list.map((run, i) => compare(run.report, reference[i % reference.length].report));
        const worst =
          verdicts.find((v) => v.same === 'no') ?? verdicts.find((v) => v.same === 'printed') ?? verdicts[0];
        same =
          worst.same === 'bitwise'
            ? `yes, ${worst.detail}`
            : worst.same === 'printed'
              ? `to the printed digits only: ${worst.detail}`
              : `NO: ${worst.detail}`;
        if (worst.same === 'no') failed = true;
      }
      const ratio = (x: number) => (side === 'pycocotools' || Number.isNaN(x) ? '' : `${x.toFixed(1)}x`);
      // each repetition's pycocotools run against this side's run of the same repetition (run close in
      // time), which load that comes and goes during a long bench skews less than the ratio of medians
      const perRun = reference
        ? median(list.map((run, i) => reference[Math.min(i, reference.length - 1)].wallS / run.wallS))
        : Number.NaN;
      say(
        `  ${side.padEnd(20)} ${wall.toFixed(2).padStart(8)} ${cpu.toFixed(2).padStart(8)} ${rss.toFixed(0).padStart(12)} ${ratio(refWall / wall).padStart(16)} ${ratio(refCpu / cpu).padStart(8)} ${ratio(perRun).padStart(18)}   ${same}`,
      );
    }
  }
  if (failed) {
    say('tasam and pycocotools disagree beyond the printed digits');
    process.exit(1);
  }
}

if (process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
} else main();
