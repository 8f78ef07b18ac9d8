#!/usr/bin/env node
// Warm `tasam segment --task` wall time, this checkout against another commit, in one run:
//
//   node tools/segment-ab/segment-ab.js --base REV [--rounds 5] [--work DIR]
//
// The base commit is checked out as a git worktree in --work (default a temporary directory), installed offline
// from the pnpm store and its CLI built (as tools/train-throughput does). Then for each bundled example and its
// task (cats.jpg "segment all cats", elephants.jpg "segment all elephants", suitcases.jpg "highlight every
// suitcase"): one untimed run of each CLI (models, embeddings, LoRAs cached: a warm start), then --rounds runs of
// each, alternating, each a fresh process timed from spawn to exit. Prints the medians, every run, and whether the
// two CLIs' last outputs have the same masks and scores. Both use the normal cache directory. The worktree is
// removed at the end unless --work was given (then it is kept and reused).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { prepareBaseCheckout } = require('../base-checkout');

const root = path.resolve(__dirname, '..', '..');
const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    work: { type: 'string' },
  },
});
const rounds = Number(opts.rounds);
if (!opts.base || !(Number.isInteger(rounds) && rounds > 0)) {
  console.error('usage: segment-ab.js --base REV [--rounds 5] [--work DIR]');
  process.exit(2);
}
const work = opts.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tasam-segment-ab-'));
fs.mkdirSync(work, { recursive: true });

/** One `tasam segment IMAGE --task TASK --json`: wall ms and its tasks' masks (RLE counts and scores). */
function segment(checkout, image, task) {
  const bin = path.join(checkout, 'apps', 'cli', 'dist', 'bin.js');
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, 'segment', image, '--task', task, '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`${bin} segment ${image} exited ${result.status}\n${result.stderr}`);
  const report = JSON.parse(result.stdout);
  const masks = report.tasks.map((t) =>
    t.masks.map((m) => `${m.rle.counts}:${m.score.toFixed(6)}`).join(','),
  );
  return { ms, masks: masks.join('|') };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

const base = prepareBaseCheckout(opts.base, work);
const examples = [
  ['cats.jpg', 'segment all cats'],
  ['elephants.jpg', 'segment all elephants'],
  ['suitcases.jpg', 'highlight every suitcase'],
];
console.log(
  `warm tasam segment --task, ${rounds} runs each, alternating; base ${opts.base} vs this checkout`,
);
for (const [file, task] of examples) {
  const image = path.join(root, 'examples', file);
  const sides = { base: { dir: base, ms: [] }, new: { dir: root, ms: [] } };
  for (const side of Object.values(sides)) side.last = segment(side.dir, image, task); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['base', 'new'] : ['new', 'base'];
    for (const name of order) {
      const out = segment(sides[name].dir, image, task);
      sides[name].ms.push(out.ms);
      sides[name].last = out;
    }
  }
  const same = sides.base.last.masks === sides.new.last.masks ? 'identical masks' : 'masks DIFFER';
  const b = median(sides.base.ms);
  const n = median(sides.new.ms);
  console.log(
    `${file.padEnd(14)} base ${Math.round(b)} ms  new ${Math.round(n)} ms  (${(n / b).toFixed(2)}x)  ${same}  ` +
      `load ${os.loadavg()[0].toFixed(2)}  [base ${sides.base.ms.map(Math.round).join(' ')}; new ${sides.new.ms.map(Math.round).join(' ')}]`,
  );
}
if (!opts.work) {
  spawnSync('git', ['worktree', 'remove', '--force', base], { cwd: root });
  fs.rmSync(work, { recursive: true, force: true });
}
