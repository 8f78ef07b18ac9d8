/**
 * COCOeval benchmark on a large case, each run in a fresh process (load included, as `tasam coco-eval` does
 * it): GT load, results load, evaluate, accumulate, summarize; medians over the runs, peak RSS.
 *
 *   node /work/shared/tools/scale-coco-case.mjs gt.json dt_segm.json 250 /tmp/x250   # 5,000 images
 *   pnpm --filter @tasam/coco-eval bench -- --case /tmp/x250 [--runs 3] [--workers 0,auto] [--iou-type segm]
 *
 * --case PREFIX reads PREFIX_gt.json and PREFIX_results.json (or give --gt FILE --results FILE); the
 * environment variable TASAM_COCO_EVAL_CASE stands for --case.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { CocoEval, type IouType, loadGroundTruthFile, loadResultsFile } from '../src';

interface RunResult {
  workers: string;
  gtS: number;
  resultsS: number;
  evaluateS: number;
  accumulateS: number;
  summarizeS: number;
  totalS: number;
  cpuS: number;
  peakRssMb: number;
  ap: number;
}

const PYCOCOTOOLS_SECONDS = 56; // pycocotools 2.0.11, segm evaluate+accumulate+summarize, x250 case, this machine

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function child(): Promise<void> {
  const gtPath = argument('gt')!;
  const resultsPath = argument('results')!;
  const iouType = (argument('iou-type') ?? 'segm') as IouType;
  const workersArg = argument('workers') ?? 'auto';
  const workers = workersArg === 'auto' ? 'auto' : Number(workersArg);
  const seconds = (from: number) => (performance.now() - from) / 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const gt = await loadGroundTruthFile(gtPath);
  const gtS = seconds(t0);
  const t1 = performance.now();
  const dt = await loadResultsFile(gt, resultsPath);
  const resultsS = seconds(t1);
  const t2 = performance.now();
  const ev = await new CocoEval(gt, dt, iouType).evaluateAsync({ workers });
  const evaluateS = seconds(t2);
  const t3 = performance.now();
  ev.accumulate();
  const accumulateS = seconds(t3);
  const t4 = performance.now();
  const { stats } = ev.summarize();
  const summarizeS = seconds(t4);
  const cpu = process.cpuUsage(cpu0);
  const result: RunResult = {
    workers: workersArg,
    gtS,
    resultsS,
    evaluateS,
    accumulateS,
    summarizeS,
    totalS: seconds(t0),
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    ap: stats[0],
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function parent(): void {
  const prefix = argument('case') ?? process.env.TASAM_COCO_EVAL_CASE;
  const gt = argument('gt') ?? (prefix ? `${prefix}_gt.json` : undefined);
  const results = argument('results') ?? (prefix ? `${prefix}_results.json` : undefined);
  if (!gt || !results || !existsSync(gt) || !existsSync(results)) {
    process.stderr.write(
      [
        'coco-eval bench: needs a case: --case PREFIX (PREFIX_gt.json, PREFIX_results.json), --gt/--results, or',
        'TASAM_COCO_EVAL_CASE. Build the COCO-val-sized one with:',
        '  node ../shared/tools/scale-coco-case.mjs ../shared/coco-eval-ref/gt.json ../shared/coco-eval-ref/dt_segm.json 250 /tmp/x250',
        `(looked for ${gt ?? '?'} and ${results ?? '?'})`,
        '',
      ].join('\n'),
    );
    process.exit(2);
  }
  const runs = Number(argument('runs') ?? 3);
  const iouType = argument('iou-type') ?? 'segm';
  const settings = (argument('workers') ?? '0,auto').split(',');
  process.stdout.write(
    `coco-eval bench: ${gt} + ${results}, iouType ${iouType}, ${runs} fresh-process runs per setting, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
  );
  const header = [
    'workers',
    'total s',
    'gt load',
    'results',
    'evaluate',
    'accumulate',
    'summarize',
    'cpu s',
    'peak RSS MB',
  ];
  process.stdout.write(`${header.map((h) => h.padStart(11)).join(' ')}   (medians)\n`);
  for (const workers of settings) {
    const results_: RunResult[] = [];
    for (let r = 0; r < runs; r++) {
      const run = spawnSync(
        process.execPath,
        [
          __filename,
          '--child',
          '--gt',
          gt,
          '--results',
          results,
          '--iou-type',
          iouType,
          '--workers',
          workers,
        ],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (run.status !== 0) {
        process.stderr.write(run.stderr);
        process.exit(1);
      }
      results_.push(JSON.parse(run.stdout.trim().split('\n').pop()!) as RunResult);
    }
    const m = (key: keyof RunResult) => median(results_.map((r) => r[key] as number));
    const row = [
      workers,
      m('totalS').toFixed(2),
      m('gtS').toFixed(2),
      m('resultsS').toFixed(2),
      m('evaluateS').toFixed(2),
      m('accumulateS').toFixed(2),
      m('summarizeS').toFixed(3),
      m('cpuS').toFixed(2),
      m('peakRssMb').toFixed(0),
    ];
    process.stdout.write(
      `${row.map((c) => c.padStart(11)).join(' ')}   = pycocotools ${PYCOCOTOOLS_SECONDS} s / ${(PYCOCOTOOLS_SECONDS / m('totalS')).toFixed(1)}; AP ${results_[0].ap}\n`,
    );
  }
}

if (process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
} else parent();
