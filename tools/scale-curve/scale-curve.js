#!/usr/bin/env node
// The scale curve: wall time and peak RSS of `tasam embed`, `tasam eval --protocol text` and `tasam
// coco-eval` against the number of images, each command a fresh child process, plus what a second machine
// (the sharded path) changes. Writes every row as JSON, prints a Markdown table and draws the curves (SVG
// and PNG).
//
//   node tools/scale-curve/scale-curve.js --coco DIR [--split val2017] [--sizes 10,50,146] [--shard-at N]
//       [--shards 2] [--coco-eval-scales 1,10,50,250] [--coco-eval-runs 3] [--scale-script FILE]
//       [--models DIR] [--work DIR] [--keep] [--out DIR] [--chart PREFIX]
//   node tools/scale-curve/scale-curve.js --from scale-curve.json [--out DIR] [--chart PREFIX]
//
// For each N of --sizes: the first N images of the split (file-name order) are copied into a directory of
// their own and `tasam embed DIR` runs with a fresh, empty TASAM_CACHE (its models/ hard links to the files
// of --models, default the normal cache's, so prepared models are read, not rebuilt or downloaded); then
// `tasam eval --coco DIR --split SPLIT --protocol text --limit N` runs in the same cache, so it reads the
// embeddings embed has just written (and computes the task LoRAs and text vectors, which start empty too).
// Sharded path, at N = --shard-at (default the largest size; --shards 0 skips it): for i in 0..n-1, one after
// the other, each in a fresh cache of its own as if on its own machine, `tasam embed DIR --shard i/n` then
// `tasam eval ... --shard i/n --out SHARED`; then `tasam eval --merge --out SHARED`, whose report is compared
// with the single run's (every metric, the timings left out).
// coco-eval: the reference case of packages/coco-eval/test/fixtures (20 images) replicated k times by
// --scale-script (default ../shared/tools/scale-coco-case.mjs beside the repository, as the coco-eval bench
// builds its x250 case), `tasam coco-eval --iou-type segm --json` (default --workers auto), --coco-eval-runs
// fresh processes per k: median wall and CPU, largest peak RSS.
//
// Each child runs as `node --require <coco-eval's bench rusage-hook> apps/cli/dist/bin.js ...`: at exit the
// hook writes the process's CPU time and peak RSS (process.resourceUsage(): every thread of the process,
// worker threads and onnxruntime's included). None of these commands starts a child process (embed runs
// without --workers; eval and coco-eval use threads only). Wall time is taken here, from spawn to exit.
// The 1-minute load average is recorded at the start and end of every run.
//
// Needs the built CLI (`pnpm --filter @tasam/cli... build`); builds coco-eval's bench files
// (tsconfig.bench.json) when the hook is missing. Output: --out DIR (default test-artifacts/scale-curve):
// scale-curve.json (rows, written after every run), scale-curve.md; the chart at --chart PREFIX
// (default DIR/scale-curve) + .svg/.png. Ctrl-C passes SIGINT to the running child (SIGKILL 10 s later, or at
// a second Ctrl-C), removes the work directory (unless --keep) and exits 130; rows so far stay in the JSON.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'apps', 'cli', 'dist', 'bin.js');
const cocoEvalDir = path.join(repo, 'packages', 'coco-eval');
const rusageHook = path.join(cocoEvalDir, 'dist-bench', 'bench', 'rusage-hook.js');
const fixtures = path.join(cocoEvalDir, 'test', 'fixtures');

// ---------------------------------------------------------------------------------------------- options

const usage = () => {
  const lines = fs.readFileSync(__filename, 'utf8').split('\n').slice(1);
  const header = lines.slice(
    0,
    lines.findIndex((l) => !l.startsWith('//')),
  );
  return `${header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`;
};

class UsageError extends Error {}

function parseList(flag, text) {
  if (text === 'none' || text === '') return [];
  const values = text.split(',').map(Number);
  if (!values.every((v) => Number.isSafeInteger(v) && v > 0))
    throw new UsageError(
      `${flag} takes a comma-separated list of whole numbers > 0 (or none); got "${text}"`,
    );
  return [...new Set(values)].sort((a, b) => a - b);
}

function parseArgs(argv) {
  const options = {
    coco: process.env.TASAM_COCO,
    split: 'val2017',
    sizes: [10, 50, 146],
    shardAt: undefined,
    shards: 2,
    cocoEvalScales: [1, 10, 50, 250],
    cocoEvalRuns: 3,
    scaleScript: path.resolve(repo, '..', 'shared', 'tools', 'scale-coco-case.mjs'),
    models: undefined,
    work: undefined,
    keep: false,
    out: path.join(repo, 'test-artifacts', 'scale-curve'),
    chart: undefined,
    from: undefined,
  };
  const value = (i) => {
    if (i >= argv.length || argv[i].startsWith('--')) throw new UsageError(`${argv[i - 1]} needs a value`);
    return argv[i];
  };
  const whole = (flag, text, min) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} takes a whole number >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--coco') options.coco = value(++i);
    else if (arg === '--split') options.split = value(++i);
    else if (arg === '--sizes') options.sizes = parseList(arg, value(++i));
    else if (arg === '--shard-at') options.shardAt = whole(arg, value(++i), 1);
    else if (arg === '--shards') options.shards = whole(arg, value(++i), 0);
    else if (arg === '--coco-eval-scales') options.cocoEvalScales = parseList(arg, value(++i));
    else if (arg === '--coco-eval-runs') options.cocoEvalRuns = whole(arg, value(++i), 1);
    else if (arg === '--scale-script') options.scaleScript = path.resolve(value(++i));
    else if (arg === '--models') options.models = path.resolve(value(++i));
    else if (arg === '--work') options.work = path.resolve(value(++i));
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--out') options.out = path.resolve(value(++i));
    else if (arg === '--chart') options.chart = path.resolve(value(++i));
    else if (arg === '--from') options.from = path.resolve(value(++i));
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage());
      process.exit(0);
    } else throw new UsageError(`unknown option ${arg} (--help lists them)`);
  }
  if (options.shards === 1) throw new UsageError('--shards takes 0 (skip the sharded path) or 2 and more');
  if (options.shards > 1) {
    options.shardAt ??= options.sizes[options.sizes.length - 1];
    if (options.shardAt !== undefined && !options.sizes.includes(options.shardAt))
      throw new UsageError(
        `--shard-at ${options.shardAt} must be one of --sizes (${options.sizes.join(',')})`,
      );
  }
  options.chart ??= path.join(options.out, 'scale-curve');
  return options;
}

// ---------------------------------------------------------------------------------------------- runs

const log = (line = '') => process.stdout.write(`${line}\n`);
const load1 = () => Number(os.loadavg()[0].toFixed(2));

/** The child running now, and the signal that asked us to stop (Ctrl-C: SIGINT). */
let current = null;
let stopSignal = null;

class Interrupted extends Error {}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopSignal && current) {
      current.kill('SIGKILL'); // a second Ctrl-C: do not wait for the child to wind down
      return;
    }
    stopSignal = signal;
    log(`\n${signal}: stopping${current ? ` the running child (pid ${current.pid})` : ''}`);
    if (current) {
      current.kill(signal);
      const child = current;
      setTimeout(
        () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'),
        10_000,
      ).unref();
    }
  });
}

/** `tasam` for the CLI, $WORK for the work directory, paths relative to the repository: for display. */
function displayCommand(args, work) {
  return args
    .map((a) => {
      if (a === bin) return 'tasam';
      let s = work && a.startsWith(work) ? `$WORK${a.slice(work.length)}` : a;
      if (s.startsWith(`${repo}/`)) s = path.relative(repo, s);
      return /[\s"'$]/.test(s) && !s.startsWith('$WORK') ? JSON.stringify(s) : s;
    })
    .join(' ');
}

/**
 * Runs `node --require <rusage hook> ...args` and resolves with its exit, wall seconds (spawn to exit), CPU
 * seconds and peak RSS (MB, from the hook), the 1-minute load average at start and end, and its stdout.
 * stderr (the CLI's progress lines) is shown indented and kept in `logFile`.
 */
function runMeasured(args, { env, logFile }) {
  if (stopSignal) return Promise.reject(new Interrupted(stopSignal));
  return new Promise((resolve, reject) => {
    const usageFile = `${logFile}.rusage.json`;
    fs.rmSync(usageFile, { force: true });
    const loadStart = load1();
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--require', rusageHook, ...args], {
      env: { ...env, TASAM_BENCH_RUSAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    const logStream = fs.createWriteStream(logFile);
    logStream.write(`$ node ${args.join(' ')}\n`);
    let stdout = '';
    let pending = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      logStream.write(chunk);
      pending += chunk;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop();
      for (const line of lines) if (line.trim()) process.stdout.write(`    | ${line}\n`);
    });
    child.on('error', (error) => {
      current = null;
      reject(error);
    });
    child.on('close', (code, signal) => {
      const wallS = (performance.now() - t0) / 1000;
      current = null;
      logStream.end(`\n--- stdout\n${stdout}`);
      if (stopSignal) return reject(new Interrupted(stopSignal));
      let rusage = { cpuS: Number.NaN, peakRssMb: Number.NaN };
      try {
        rusage = JSON.parse(fs.readFileSync(usageFile, 'utf8'));
      } catch {
        // a child killed by a signal writes nothing
      }
      resolve({
        code,
        signal,
        wallS,
        cpuS: rusage.cpuS,
        peakRssMb: rusage.peakRssMb,
        loadStart,
        loadEnd: load1(),
        stdout,
      });
    });
  });
}

/** Runs a tasam command, fails loudly on a non-zero exit, and returns a row for the table. */
async function tasamRow(state, row, args, env) {
  const logFile = path.join(state.work, 'logs', `${String(++state.runs).padStart(3, '0')}-${row.id}.log`);
  const full = [bin, ...args];
  const shown = displayCommand(full, state.work);
  log(`  ${row.label} (N=${row.n}): ${shown}`);
  const run = await runMeasured(full, { env, logFile });
  if (run.code !== 0)
    throw new Error(`${shown} exited with ${run.code ?? run.signal}; its output is in ${logFile}`);
  const result = {
    ...row,
    command: shown,
    wallS: round(run.wallS, 2),
    cpuS: round(run.cpuS, 2),
    peakRssMb: round(run.peakRssMb, 0),
    load: [run.loadStart, run.loadEnd],
  };
  log(
    `  -> ${result.wallS} s wall, ${result.cpuS} s CPU, ${result.peakRssMb} MB peak RSS, load ${run.loadStart} -> ${run.loadEnd}`,
  );
  return { result, run };
}

const round = (x, digits) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------------------------------------- set-up

function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function checkInputs(options) {
  if (!fs.existsSync(bin))
    throw new UsageError(`the CLI is not built (${bin}): pnpm --filter @tasam/cli... build`);
  if (!options.coco)
    throw new UsageError('needs --coco DIR (or TASAM_COCO): a COCO directory, e.g. coco-mini');
  const coco = path.resolve(options.coco);
  const annotations = path.join(coco, 'annotations', `instances_${options.split}.json`);
  if (!fs.existsSync(coco) || !fs.statSync(coco).isDirectory())
    throw new UsageError(`--coco ${options.coco}: no such directory`);
  if (!fs.existsSync(annotations))
    throw new UsageError(`--coco ${options.coco}: no annotations/instances_${options.split}.json in it`);
  const images = JSON.parse(fs.readFileSync(annotations, 'utf8'))
    .images.map((im) => im.file_name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const largest = options.sizes[options.sizes.length - 1];
  if (largest > images.length)
    throw new UsageError(`--sizes: ${largest} images asked, split ${options.split} has ${images.length}`);
  const imageDir = path.join(coco, options.split);
  const missing = images.slice(0, largest).filter((name) => !fs.existsSync(path.join(imageDir, name)));
  if (missing.length > 0)
    throw new UsageError(`${imageDir}: ${missing.length} images missing, e.g. ${missing[0]}`);
  if (options.cocoEvalScales.length > 0 && !fs.existsSync(options.scaleScript))
    throw new UsageError(
      `--scale-script ${options.scaleScript}: not found (the script that replicates the coco-eval case; ` +
        'or --coco-eval-scales none)',
    );
  return { coco, imageDir, images };
}

/** coco-eval's bench rusage hook (compiled from bench/rusage-hook.ts by its tsconfig.bench.json). */
function ensureRusageHook() {
  if (fs.existsSync(rusageHook)) return;
  log(`building ${path.relative(repo, rusageHook)} (coco-eval's tsconfig.bench.json)`);
  const tsc = createRequire(path.join(cocoEvalDir, 'package.json')).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], {
    cwd: cocoEvalDir,
    stdio: 'inherit',
  });
  if (built.status !== 0 || !fs.existsSync(rusageHook)) throw new Error('could not build the rusage hook');
}

/**
 * A fresh cache root whose models/ holds the normal cache's prepared models (read, not rebuilt: nothing to
 * download), hard-linked (copied across file systems). Small files (file-digests.json, the runtime's digest
 * memo, which it rewrites) are copied, so nothing this run writes reaches the normal cache.
 */
function freshCache(dir, models) {
  const target = path.join(dir, 'models');
  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(models, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const from = path.join(models, entry.name);
    const to = path.join(target, entry.name);
    if (fs.statSync(from).size < 1 << 20) fs.copyFileSync(from, to);
    else {
      try {
        fs.linkSync(from, to);
      } catch {
        fs.copyFileSync(from, to);
      }
    }
  }
  return dir;
}

/** The first n images of the split, copied (embed lists regular files only, not symlinks). */
function imageSubset(state, n) {
  const dir = path.join(state.work, `images-${n}`);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of state.images.slice(0, n))
      fs.copyFileSync(path.join(state.imageDir, name), path.join(dir, name));
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------- the curves

async function embedAndEval(state, options, n) {
  const cache = freshCache(path.join(state.work, `cache-${n}`), state.models);
  const env = { ...process.env, TASAM_CACHE: cache };
  const images = imageSubset(state, n);
  const embed = await tasamRow(
    state,
    { id: `embed-${n}`, step: 'embed', label: 'tasam embed', n },
    ['embed', images, '--json'],
    env,
  );
  const summary = JSON.parse(embed.run.stdout.trim().split('\n').pop());
  if (summary.computed !== n)
    throw new Error(
      `embed of ${n} images computed ${summary.computed} (cached ${summary.cached}): not a fresh cache?`,
    );
  state.add({ ...embed.result, computed: summary.computed });
  const out = path.join(state.work, `eval-${n}`);
  const evalRun = await tasamRow(
    state,
    { id: `eval-${n}`, step: 'eval', label: 'tasam eval --protocol text', n },
    evalArgs(state, options, n, out),
    env,
  );
  const report = JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8'));
  state.add({
    ...evalRun.result,
    imageS: imageSeconds(Object.values(report.imageTimings).map((t) => t.textMs)),
  });
  return out;
}

/** What `tasam eval --shard i/n` writes (apps/cli/README.md, Sharding). */
const shardFileName = (i, n) =>
  `eval-shard-${String(i).padStart(3, '0')}-of-${String(n).padStart(3, '0')}.json`;

/**
 * The evaluation's own per-image times (eval.json's imageTimings, a shard file's text[].ms): the rest of the
 * process's wall time is start-up (process, models, checkpoint) and the report.
 */
function imageSeconds(ms) {
  const s = ms.map((x) => x / 1000);
  return {
    sum: round(
      s.reduce((a, b) => a + b, 0),
      1,
    ),
    median: round(median(s), 2),
    min: round(Math.min(...s), 2),
    max: round(Math.max(...s), 2),
  };
}

function evalArgs(state, options, n, out) {
  return [
    'eval',
    '--coco',
    state.coco,
    '--split',
    options.split,
    '--protocol',
    'text',
    '--limit',
    String(n),
    '--out',
    out,
  ];
}

async function sharded(state, options, n, singleOut) {
  const count = options.shards;
  const images = imageSubset(state, n);
  const out = path.join(state.work, `eval-${n}-shards`);
  let firstEnv;
  const perMachine = [];
  for (let i = 0; i < count; i++) {
    const shard = `${i}/${count}`;
    const cache = freshCache(path.join(state.work, `machine-${i}`), state.models);
    const env = { ...process.env, TASAM_CACHE: cache };
    firstEnv ??= env;
    const embed = await tasamRow(
      state,
      { id: `embed-${n}-shard-${i}`, step: 'embed shard', label: `tasam embed --shard ${shard}`, n, shard },
      ['embed', images, '--shard', shard, '--json'],
      env,
    );
    const summary = JSON.parse(embed.run.stdout.trim().split('\n').pop());
    state.add({ ...embed.result, images: summary.images, computed: summary.computed });
    const evalRun = await tasamRow(
      state,
      {
        id: `eval-${n}-shard-${i}`,
        step: 'eval shard',
        label: `tasam eval --protocol text --shard ${shard}`,
        n,
        shard,
      },
      [...evalArgs(state, options, n, out), '--shard', shard],
      env,
    );
    const part = JSON.parse(fs.readFileSync(path.join(out, shardFileName(i, count)), 'utf8'));
    state.add({
      ...evalRun.result,
      images: summary.images,
      imageS: imageSeconds(part.text.map((t) => t.ms)),
    });
    perMachine.push(embed.result.wallS + evalRun.result.wallS);
  }
  const merge = await tasamRow(
    state,
    { id: `eval-${n}-merge`, step: 'eval merge', label: 'tasam eval --merge', n },
    ['eval', '--merge', '--out', out],
    firstEnv,
  );
  const same = compareReports(path.join(singleOut, 'eval.json'), path.join(out, 'eval.json'));
  state.add({ ...merge.result, sameAsSingleRun: same.same, comparison: same.detail });
  log(`  merged report vs the single run: ${same.same ? 'the same' : 'DIFFERENT'} (${same.detail})`);
  state.summary.twoMachines = {
    n,
    shards: count,
    perMachineS: perMachine.map((s) => round(s, 2)),
    wallS: round(Math.max(...perMachine) + merge.result.wallS, 2),
  };
}

/** Keys whose values are timings (`wallMs`, `imageTimings.<id>.textMs`): they differ between any two runs. */
const TIMING_KEY = /Ms$|^imageTimings$/;

function withoutTimings(value) {
  if (Array.isArray(value)) return value.map((v) => withoutTimings(v));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (TIMING_KEY.test(k) || k === 'shards') continue;
      out[k] = withoutTimings(v);
    }
    return out;
  }
  return value;
}

function compareReports(singleFile, mergedFile) {
  const single = JSON.parse(fs.readFileSync(singleFile, 'utf8'));
  const merged = JSON.parse(fs.readFileSync(mergedFile, 'utf8'));
  const differences = [];
  const walk = (a, b, at) => {
    if (differences.length >= 5) return;
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) walk(a[k], b[k], `${at}.${k}`);
    } else if (!Object.is(a, b)) differences.push(`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  walk(withoutTimings(single), withoutTimings(merged), 'eval.json');
  const ap = (r) => r.text?.referring?.tasam?.stats?.[0];
  return differences.length === 0
    ? {
        same: true,
        detail: `eval.json identical but for timings and shard settings (text referring tasam AP ${ap(single)})`,
      }
    : { same: false, detail: differences.join('; ') };
}

async function cocoEvalCurve(state, options) {
  const casesDir = path.join(state.work, 'coco-eval-cases');
  fs.mkdirSync(casesDir, { recursive: true });
  const gtImages = JSON.parse(fs.readFileSync(path.join(fixtures, 'gt.json'), 'utf8')).images.length;
  for (const k of options.cocoEvalScales) {
    const prefix = path.join(casesDir, `x${k}`);
    const made = spawnSync(
      process.execPath,
      [
        options.scaleScript,
        path.join(fixtures, 'gt.json'),
        path.join(fixtures, 'dt_segm.json'),
        String(k),
        prefix,
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`${options.scaleScript} failed:\n${made.stderr}`);
    log(`  case x${k}: ${made.stdout.trim()}`);
    const n = gtImages * k;
    const runs = [];
    for (let r = 0; r < options.cocoEvalRuns; r++) {
      const { result, run } = await tasamRow(
        state,
        {
          id: `coco-eval-x${k}-run${r + 1}`,
          step: 'coco-eval',
          label: `tasam coco-eval (x${k}, run ${r + 1})`,
          n,
        },
        [
          'coco-eval',
          '--gt',
          `${prefix}_gt.json`,
          '--results',
          `${prefix}_results.json`,
          '--iou-type',
          'segm',
          '--json',
        ],
        process.env,
      );
      runs.push({ ...result, ap: JSON.parse(run.stdout.trim().split('\n').pop()).stats[0] });
    }
    const first = runs[0];
    state.add({
      id: `coco-eval-x${k}`,
      step: 'coco-eval',
      label: `tasam coco-eval (x${k} case)`,
      n,
      scale: k,
      command: first.command,
      runs: runs.length,
      wallS: round(median(runs.map((r) => r.wallS)), 2),
      cpuS: round(median(runs.map((r) => r.cpuS)), 2),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      load: [first.load[0], runs[runs.length - 1].load[1]],
      ap: first.ap,
      runWallS: runs.map((r) => r.wallS),
    });
  }
}

// ---------------------------------------------------------------------------------------------- output

const fmt = (x, digits) => (x === null || x === undefined || Number.isNaN(x) ? '' : x.toFixed(digits));

const imageColumn = (t) =>
  t ? `${fmt(t.median, 1)} (${fmt(t.min, 1)}-${fmt(t.max, 1)}); ${fmt(t.sum, 1)}` : '';

function markdown(data) {
  const lines = [
    '| N (images) | command | wall s | s / image | eval: per-image s, median (min-max); sum | CPU s | peak RSS MB | load avg (1 min) start → end |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const rows = [...data.rows].sort((a, b) => {
    const order = ['embed', 'eval', 'embed shard', 'eval shard', 'eval merge', 'coco-eval'];
    return order.indexOf(a.step) - order.indexOf(b.step) || a.n - b.n || a.id.localeCompare(b.id);
  });
  for (const row of rows) {
    const images = row.images ?? row.n;
    const perImage =
      row.step === 'eval merge' ? '' : fmt(row.wallS / images, row.wallS / images < 0.1 ? 4 : 2);
    const label = row.step === 'coco-eval' ? `${row.label}, median of ${row.runs}` : row.label;
    const n = row.images !== undefined && row.images !== row.n ? `${row.images} of ${row.n}` : String(row.n);
    lines.push(
      `| ${n} | ${label} | ${fmt(row.wallS, 2)} | ${perImage} | ${imageColumn(row.imageS)} | ${fmt(row.cpuS, 1)} | ${fmt(row.peakRssMb, 0)} | ${fmt(row.load[0], 2)} → ${fmt(row.load[1], 2)} |`,
    );
  }
  const two = data.summary?.twoMachines;
  if (two) {
    const one = data.rows
      .filter((r) => (r.step === 'embed' || r.step === 'eval') && r.n === two.n)
      .reduce((s, r) => s + r.wallS, 0);
    lines.push(
      '',
      `N = ${two.n}: one machine, embed + eval = ${one.toFixed(1)} s; ${two.shards} machines, ` +
        `max(embed + eval of each shard: ${two.perMachineS.map((x) => x.toFixed(1)).join(' s, ')} s) + merge = ${two.wallS.toFixed(1)} s ` +
        `(${(one / two.wallS).toFixed(2)}x).`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Two columns (tasam on coco-mini | coco-eval on the replicated case) × two rows (wall s | peak RSS MB). */
async function drawCharts(data, prefix) {
  const { lineChartSvg } = require(path.join(repo, 'packages', 'charts'));
  const pipeline = data.rows.filter((r) => r.step === 'embed' || r.step === 'eval');
  const cocoEval = data.rows.filter((r) => r.id.startsWith('coco-eval-x') && r.runs);
  const series = { embed: 'embed', eval: 'eval text' };
  // x from 0: a straight line through the origin is cost proportional to N, an intercept is fixed cost
  const xDomain = (rows) => [0, Math.max(1, ...rows.map((r) => r.n))];
  const points = (rows, key, name) =>
    [...rows].sort((a, b) => a.n - b.n).map((r) => ({ x: r.n, y: r[key], series: name(r) }));
  const panels = [
    [
      [
        ...points(pipeline, 'wallS', (r) => `${series[r.step]}, wall`),
        ...points(pipeline, 'cpuS', (r) => `${series[r.step]}, CPU`),
      ],
      {
        title: `tasam on coco-mini ${data.split}: wall and CPU time`,
        yTitle: 'seconds',
        xDomain: xDomain(pipeline),
      },
    ],
    [
      [
        ...points(cocoEval, 'wallS', () => 'coco-eval, wall'),
        ...points(cocoEval, 'cpuS', () => 'coco-eval, CPU'),
      ],
      {
        title: 'tasam coco-eval, reference case x k: wall and CPU time',
        yTitle: 'seconds',
        xDomain: xDomain(cocoEval),
      },
    ],
    [
      points(pipeline, 'peakRssMb', (r) => series[r.step]),
      {
        title: `tasam on coco-mini ${data.split}: peak RSS`,
        yTitle: 'peak RSS MB',
        xDomain: xDomain(pipeline),
      },
    ],
    [
      points(cocoEval, 'peakRssMb', () => 'coco-eval (segm)'),
      {
        title: 'tasam coco-eval, reference case x k: peak RSS',
        yTitle: 'peak RSS MB',
        xDomain: xDomain(cocoEval),
      },
    ],
  ];
  const width = 420;
  const height = 240;
  const svgs = [];
  for (const [pts, opts] of panels) {
    if (pts.length === 0) continue;
    svgs.push(
      await lineChartSvg(pts, {
        ...opts,
        xTitle: 'images (N)',
        width,
        height,
        strokeWidth: 2,
        background: 'white',
      }),
    );
  }
  const columns = Math.min(svgs.length, 2);
  const size = (svg) => {
    const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    return m ? [Number(m[1]), Number(m[2])] : [width + 100, height + 80];
  };
  const cell = svgs.map(size).reduce(([w, h], [a, b]) => [Math.max(w, a), Math.max(h, b)], [0, 0]);
  const rows = Math.ceil(svgs.length / columns);
  const inner = svgs
    .map((svg, i) => {
      const x = (i % columns) * cell[0];
      const y = Math.floor(i / columns) * cell[1];
      return svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/^<svg/, `<svg x="${x}" y="${y}"`);
    })
    .join('\n');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${columns * cell[0]}" height="${rows * cell[1]}" viewBox="0 0 ${columns * cell[0]} ${rows * cell[1]}">` +
    `<rect width="100%" height="100%" fill="white"/>\n${inner}\n</svg>\n`;
  fs.mkdirSync(path.dirname(prefix), { recursive: true });
  fs.writeFileSync(`${prefix}.svg`, svg);
  const sharp = createRequire(path.join(repo, 'packages', 'evaluation', 'package.json'))('sharp');
  await sharp(Buffer.from(svg)).png().toFile(`${prefix}.png`);
  return [`${prefix}.svg`, `${prefix}.png`];
}

async function writeOutputs(data, options) {
  fs.mkdirSync(options.out, { recursive: true });
  const md = markdown(data);
  fs.writeFileSync(path.join(options.out, 'scale-curve.md'), md);
  log();
  log(md);
  const files = await drawCharts(data, options.chart);
  log(`written: ${path.join(options.out, 'scale-curve.json')}, scale-curve.md, ${files.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.from) {
    const data = JSON.parse(fs.readFileSync(options.from, 'utf8'));
    await writeOutputs(data, options);
    return;
  }
  const inputs = checkInputs(options);
  ensureRusageHook();
  const cli = require(path.join(repo, 'apps', 'cli'));
  const models = options.models ?? path.join(cli.cacheRoot(), 'models');
  if (!fs.existsSync(models))
    throw new UsageError(`--models ${models}: no such directory (the prepared models of a normal cache)`);
  const work = options.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tasam-scale-curve-'));
  fs.mkdirSync(path.join(work, 'logs'), { recursive: true });
  fs.mkdirSync(options.out, { recursive: true });
  const jsonFile = path.join(options.out, 'scale-curve.json');
  const data = {
    started: new Date().toISOString(),
    machine: machine(),
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
    coco: inputs.coco,
    split: options.split,
    options: {
      sizes: options.sizes,
      shardAt: options.shards > 1 ? options.shardAt : null,
      shards: options.shards,
      cocoEvalScales: options.cocoEvalScales,
      cocoEvalRuns: options.cocoEvalRuns,
    },
    command: `node tools/scale-curve/scale-curve.js ${process.argv.slice(2).join(' ')}`.trim(),
    rows: [],
    summary: {},
  };
  const state = {
    ...inputs,
    work,
    models,
    rows: data.rows,
    summary: data.summary,
    runs: 0,
    add(row) {
      data.rows.push(row);
      fs.writeFileSync(jsonFile, `${JSON.stringify(data, null, 1)}\n`);
    },
  };
  log(
    `scale curve: ${data.machine.nproc} cores (${data.machine.cpuModel}), Node ${data.machine.node}, ` +
      `load average ${data.loadAverageAtStart.join(' ')}; work directory ${work}`,
  );
  let ok = false;
  try {
    if (options.cocoEvalScales.length > 0) {
      log(
        `coco-eval: x${options.cocoEvalScales.join(', x')} of the reference case, ${options.cocoEvalRuns} runs each`,
      );
      await cocoEvalCurve(state, options);
    }
    const outs = new Map();
    for (const n of options.sizes) {
      log(`N = ${n}: embed, then eval --protocol text (fresh cache)`);
      outs.set(n, await embedAndEval(state, options, n));
    }
    if (options.shards > 1) {
      log(
        `N = ${options.shardAt}: ${options.shards} shards, each in a fresh cache (a machine of its own), then merge`,
      );
      await sharded(state, options, options.shardAt, outs.get(options.shardAt));
    }
    data.finished = new Date().toISOString();
    data.loadAverageAtEnd = os.loadavg().map((l) => round(l, 2));
    fs.writeFileSync(jsonFile, `${JSON.stringify(data, null, 1)}\n`);
    await writeOutputs(data, options);
    ok = true;
  } finally {
    // kept after a failure (its logs say why), removed after success or Ctrl-C unless --keep
    if (options.keep || (!ok && !stopSignal)) log(`work directory kept: ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
    if (!ok) log(`rows so far: ${jsonFile}`);
  }
}

main().catch((error) => {
  if (error instanceof Interrupted) process.exit(error.message === 'SIGTERM' ? 143 : 130);
  process.stderr.write(
    `scale-curve: ${error instanceof UsageError ? error.message : (error.stack ?? error)}\n`,
  );
  process.exit(error instanceof UsageError ? 2 : 1);
});
