#!/usr/bin/env node
// Training throughput, this checkout against another commit, in one run: `tasam train` of both on the same
// images, alternating which goes first, and their per-step losses compared.
//
//   node tools/train-throughput/train-throughput.js --base REV [--coco DIR] [--images 40] [--rounds 2]
//       [--work DIR] [--keep] [-- extra tasam train arguments]
//
// The base commit is checked out as a git worktree in --work (default a temporary directory), installed
// offline from the pnpm store (`pnpm install --frozen-lockfile --offline`) and its CLI built. Then, --rounds
// times, each CLI runs `tasam train --coco DIR --split train2017 --epochs 1 --max-images N --val-split none`
// into a fresh run directory; the order alternates between rounds. Throughput is wall-clock, taken here: the
// samples of steps 4 onwards over the time from the 3rd to the last line of train.jsonl (the first steps carry
// start-up). The process is then killed (its peak RSS read first, on Linux): the scorer fit and final writes
// that follow are not measured.
// Both read the normal embedding cache, so run `tasam embed` (or one training) first. Prints a table, the
// medians, and the largest per-step difference in loss between the two (same seed, same batches).

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { prepareBaseCheckout } = require('../base-checkout');

const root = path.resolve(__dirname, '..', '..');
const { values: opts, positionals: extra } = parseArgs({
  options: {
    base: { type: 'string' },
    coco: { type: 'string', default: process.env.TASAM_COCO ?? path.join(root, '..', 'shared', 'coco-mini') },
    images: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '2' },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
if (!opts.base) {
  console.error(
    'usage: train-throughput.js --base REV [--coco DIR] [--images 40] [--rounds 2] [-- train args]',
  );
  process.exit(2);
}
const images = Number(opts.images);
const rounds = Number(opts.rounds);
if (!(Number.isInteger(images) && images > 0 && Number.isInteger(rounds) && rounds > 0)) {
  console.error('--images and --rounds must be positive integers');
  process.exit(2);
}
const work = opts.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tasam-train-throughput-'));
fs.mkdirSync(work, { recursive: true });

const lines = (file) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

/** One training run; resolves with its records and wall-clock samples/s once the last step is logged. */
function train(label, checkout, round) {
  const out = path.join(work, `${label}-${round}`);
  fs.rmSync(out, { recursive: true, force: true });
  const bin = path.join(checkout, 'apps', 'cli', 'dist', 'bin.js');
  const args = [bin, 'train', '--coco', opts.coco, '--split', 'train2017', '--out', out, '--epochs', '1'];
  args.push('--max-images', String(images), '--val-split', 'none', ...extra);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const log = path.join(out, 'train.jsonl');
  return new Promise((resolve, reject) => {
    let t3;
    const timer = setInterval(() => {
      const total = Number(/samples in (\d+) steps/.exec(stderr)?.[1]);
      const n = lines(log).length;
      if (t3 === undefined && n >= 3) t3 = performance.now();
      if (total && n >= total) {
        const seconds = (performance.now() - t3) / 1000;
        clearInterval(timer);
        const peakMb = peakRssMb(child.pid);
        child.kill('SIGKILL');
        const records = lines(log).map((l) => JSON.parse(l));
        const samples = records.slice(3).reduce((s, r) => s + r.samples, 0);
        resolve({
          label,
          round,
          steps: records.length,
          samples,
          seconds,
          perSecond: samples / seconds,
          peakMb,
          records,
        });
      }
    }, 50);
    child.on('exit', (code) => {
      setTimeout(() => {
        clearInterval(timer);
        reject(
          new Error(`${label}: tasam train exited (${code}) before its last step\n${stderr.slice(-2000)}`),
        );
      }, 500);
    });
  });
}

/** The process's peak resident memory so far (Linux: VmHWM), in MB; undefined elsewhere. */
function peakRssMb(pid) {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const base = prepareBaseCheckout(opts.base, work);
  const results = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['base', 'head'] : ['head', 'base'];
    for (const label of order) {
      const load = os.loadavg()[0];
      const r = await train(label, label === 'base' ? base : root, round);
      results.push({ ...r, load });
      console.log(
        `round ${round + 1} ${label}: ${r.steps} steps, ${r.samples} samples in ${r.seconds.toFixed(1)} s = ${r.perSecond.toFixed(2)} samples/s, peak RSS ${r.peakMb ?? '?'} MB (load ${load.toFixed(2)})`,
      );
    }
  }
  const of = (label) => results.filter((r) => r.label === label);
  const [b, h] = [median(of('base').map((r) => r.perSecond)), median(of('head').map((r) => r.perSecond))];
  console.log(`\n| | samples/s (median of ${rounds}) |\n|---|---|`);
  console.log(`| base ${opts.base} | ${b.toFixed(2)} |\n| this checkout | ${h.toFixed(2)} |`);
  console.log(`speed-up ${(h / b).toFixed(2)}x`);
  const [rb, rh] = [of('base')[0].records, of('head')[0].records];
  let worst = 0;
  for (let i = 0; i < Math.min(rb.length, rh.length); i++)
    worst = Math.max(worst, Math.abs(rb[i].loss - rh[i].loss) / Math.abs(rb[i].loss));
  console.log(`largest per-step relative loss difference (round 1): ${worst.toExponential(2)}`);
  if (!opts.keep && !opts.work) {
    spawnSync('git', ['worktree', 'remove', '--force', path.join(work, 'base')], { cwd: root });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
