#!/usr/bin/env node
// "kill -9 loses nothing": runs a short `tasam train`, SIGKILLs it at seeded random moments and resumes it each
// time, checks the run directory after every kill (every file parses, no checkpoint is half there, nothing that
// existed is lost), and compares the result with an uninterrupted run of the same command, byte for byte. Then
// the same for `tasam eval --shard i/n` (a killed shard is run again; the merged report must equal an
// uninterrupted one) and for `tasam embed` (a killed writer's temporary files are removed by the next run).
//
//   node tools/kill-resume.js [--kills 20] [--eval-kills 6] [--embed-kills 3] [--seed 1] [--images 8]
//                             [--eval-images 4] [--shards 2] [--threads N] [--work DIR] [--keep] [--skip-eval]
//                             [--skip-embed]
//
// Needs the built CLI (`pnpm --filter @tasam/cli... build`) and coco-mini ($TASAM_COCO, else ../shared/coco-mini
// beside the repository). Uses the normal cache ($TASAM_CACHE): embeddings already there are read, not computed.
// Leftover temporary files are aged by 11 minutes before each rerun (standing in for the time that passes
// before a real rerun: the next run removes a dead writer's temporary file only once it is 10 minutes old).
// Exit code 0 when nothing was lost or corrupted and the results are identical, 1 otherwise.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const bin = path.join(repo, 'apps', 'cli', 'dist', 'bin.js');

// ---------------------------------------------------------------------------------------------- options

function parseArgs(argv) {
  const options = {
    kills: 20,
    evalKills: 6,
    embedKills: 3,
    seed: 1,
    images: 8,
    evalImages: 4,
    shards: 2,
    threads: undefined,
    work: undefined,
    keep: false,
    skipEval: false,
    skipEmbed: false,
  };
  const ints = {
    '--kills': 'kills',
    '--eval-kills': 'evalKills',
    '--embed-kills': 'embedKills',
    '--seed': 'seed',
    '--images': 'images',
    '--eval-images': 'evalImages',
    '--shards': 'shards',
    '--threads': 'threads',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg in ints) {
      const value = Number(argv[++i]);
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${arg} takes a whole number`);
      options[ints[arg]] = value;
    } else if (arg === '--work') options.work = path.resolve(argv[++i]);
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--skip-eval') options.skipEval = true;
    else if (arg === '--skip-embed') options.skipEmbed = true;
    else if (arg === '--help' || arg === '-h') {
      const lines = fs.readFileSync(__filename, 'utf8').split('\n').slice(1);
      const header = lines.slice(
        0,
        lines.findIndex((l) => !l.startsWith('//')),
      );
      process.stdout.write(`${header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

/** mulberry32: the kill schedule is reproducible from --seed. */
function rng(seed) {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const log = (line) => process.stdout.write(`${line}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

// ---------------------------------------------------------------------------------------------- processes

/**
 * Runs `tasam ...args` and resolves when it has exited: { pid, code, signal, killed, ms, stderr, marks }, marks
 * being the times (ms from the start) at which stderr first matched each of `phases`. It is SIGKILLed at
 * `killAfterMs`, or as soon as `watch({ elapsed, marks })` (polled every 20 ms) returns true.
 */
function runTasam(args, { env, killAfterMs, watch, logFile, phases = [] }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    const marks = {};
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      for (const [name, pattern] of phases)
        if (marks[name] === undefined && pattern.test(stderr)) marks[name] = Date.now() - started;
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    let killed = false;
    let killedAt;
    const kill = () => {
      if (killed) return;
      killed = true;
      killedAt = Date.now() - started;
      child.kill('SIGKILL');
    };
    const timer = killAfterMs === undefined ? undefined : setTimeout(kill, killAfterMs);
    const poll = watch
      ? setInterval(() => {
          if (watch({ elapsed: Date.now() - started, marks })) kill();
        }, 20)
      : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (logFile) fs.writeFileSync(logFile, `$ tasam ${args.join(' ')}\n${stderr}\n--- stdout\n${stdout}`);
      resolve({
        pid: child.pid,
        code,
        signal,
        killed: killed && signal === 'SIGKILL',
        killedAt,
        ms: Date.now() - started,
        stderr,
        stdout,
        marks,
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------- file checks

const TEMP = /\.(\d+)(?:\.[0-9A-Za-z]+)?\.tmp$/;
const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Throws unless `bytes` is a whole safetensors file: header, every tensor's extent, nothing after them. */
function checkSafetensors(bytes) {
  if (bytes.length < 8) throw new Error(`${bytes.length} bytes`);
  const headerBytes = Number(bytes.readBigUInt64LE(0));
  if (8 + headerBytes > bytes.length) throw new Error('header runs past the end');
  const header = JSON.parse(bytes.subarray(8, 8 + headerBytes).toString('utf8'));
  const data = bytes.length - 8 - headerBytes;
  let end = 0;
  for (const [name, tensor] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, stop] = tensor.data_offsets;
    const size = tensor.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[tensor.dtype] ?? Number.NaN);
    if (stop - begin !== size) throw new Error(`${name}: ${stop - begin} bytes for shape [${tensor.shape}]`);
    end = Math.max(end, stop);
  }
  if (end !== data) throw new Error(`tensors end at ${end}, data is ${data} bytes`);
  return header.__metadata__ ?? {};
}

function checkPng(bytes) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) throw new Error('no PNG signature');
  if (bytes.subarray(bytes.length - 8, bytes.length - 4).toString('latin1') !== 'IEND')
    throw new Error('no IEND chunk at the end');
}

function checkJsonl(text) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new Error('last line is not complete');
  lines.pop();
  return lines.map((line, i) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1} does not parse: ${line.slice(0, 60)}`);
    }
  });
}

/** Checks one file by its kind; returns what the callers need (parsed JSON, metadata). */
function checkFile(file) {
  const bytes = fs.readFileSync(file);
  const name = path.basename(file);
  if (name.endsWith('.safetensors')) return checkSafetensors(bytes);
  if (name.endsWith('.jsonl')) return checkJsonl(bytes.toString('utf8'));
  if (name.endsWith('.json')) return JSON.parse(bytes.toString('utf8'));
  if (name.endsWith('.png')) return checkPng(bytes);
  if (name.endsWith('.svg')) {
    const text = bytes.toString('utf8').trim();
    if (!/^(<\?xml[^>]*>\s*)?<svg/.test(text) || !text.endsWith('</svg>')) throw new Error('not a whole SVG');
    return undefined;
  }
  if (name.endsWith('.md')) {
    if (bytes.length === 0) throw new Error('empty');
    return undefined;
  }
  if (name.endsWith('.emb')) {
    if (bytes.subarray(0, 8).toString('latin1') !== 'TASAMEMB') throw new Error('not an embedding file');
    if (bytes.length !== 136 + bytes.readUInt32LE(100)) throw new Error('truncated payload');
    return undefined;
  }
  throw new Error('unknown kind of file');
}

/**
 * Every entry under `dir`: temporary files of atomic writers (not descended into) and the others, each
 * checked. Returns { files: Map<relative path, parsed>, temps: [{ path, pid }], corrupt: [message] }.
 */
function inspect(dir) {
  const files = new Map();
  const temps = [];
  const corrupt = [];
  const walk = (sub) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const relative = path.join(sub, entry.name);
      const match = TEMP.exec(entry.name);
      if (match) temps.push({ path: relative, pid: Number(match[1]) });
      else if (entry.isDirectory()) walk(relative);
      else if (entry.isSymbolicLink()) continue;
      else {
        try {
          files.set(relative, checkFile(path.join(dir, relative)));
        } catch (error) {
          corrupt.push(`${relative}: ${error.message}`);
        }
      }
    }
  };
  walk('');
  return { files, temps, corrupt };
}

/** Training-run specific checks: the checkpoint latest.json names is whole, every step-N directory is whole. */
function checkRun(dir, previous) {
  const found = inspect(dir);
  const problems = [...found.corrupt];
  const lost = [];
  const steps = new Set();
  for (const relative of found.files.keys()) {
    const m = /^checkpoints\/(step-(\d+))\//.exec(relative);
    if (m) steps.add(m[1]);
  }
  for (const step of steps) {
    for (const part of ['model.safetensors', 'optimizer.safetensors', 'state.json'])
      if (!found.files.has(`checkpoints/${step}/${part}`))
        problems.push(`checkpoints/${step}: ${part} missing`);
    const state = found.files.get(`checkpoints/${step}/state.json`);
    if (state && state.step !== Number(step.slice(5)))
      problems.push(`checkpoints/${step}: state.step ${state.step}`);
  }
  const latest = found.files.get('checkpoints/latest.json');
  let latestStep = -1;
  if (latest) {
    if (!steps.has(latest.checkpoint))
      problems.push(`latest.json names ${latest.checkpoint}, which is not whole`);
    else latestStep = Number(latest.checkpoint.slice(5));
  }
  const records = found.files.get('train.jsonl') ?? [];
  const logged = new Set(records.map((r) => r.step));
  for (let s = 0; s < latestStep; s++)
    if (!logged.has(s)) lost.push(`train.jsonl has no record of step ${s}`);
  if (previous) {
    if (latestStep < previous.latestStep)
      lost.push(`latest checkpoint went back from step ${previous.latestStep} to ${latestStep}`);
    for (const file of ['hypernet.safetensors', 'summary.json', 'loss-curve.svg'])
      if (previous.files.has(file) && !found.files.has(file)) lost.push(`${file} disappeared`);
  }
  return { ...found, problems, lost, latestStep };
}

/** Sets every listed temporary entry's mtime 11 minutes back (see the header). */
function ageTemps(dir, temps) {
  const when = new Date(Date.now() - 11 * 60 * 1000);
  for (const t of temps) {
    try {
      fs.utimesSync(path.join(dir, t.path), when, when);
    } catch {
      // removed meanwhile
    }
  }
}

// ---------------------------------------------------------------------------------------------- comparisons

const isTiming = (key) => /^(ms|waitMs|wallMs|imageMs|imageTimings|seconds|samplesPerSecond)$|Ms$/.test(key);

/** A JSON value without its timings (they differ between any two runs). */
function withoutTimings(value) {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !isTiming(k))
        .map(([k, v]) => [k, withoutTimings(v)]),
    );
  return value;
}

function sameBytes(a, b) {
  try {
    return fs.readFileSync(a).equals(fs.readFileSync(b));
  } catch {
    return false;
  }
}

function sameJson(a, b, drop = []) {
  try {
    const read = (f) => {
      const v = withoutTimings(JSON.parse(fs.readFileSync(f, 'utf8')));
      for (const k of drop) delete v[k];
      return JSON.stringify(v);
    };
    return read(a) === read(b);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------- phases

const TRAIN_PHASES = [
  ['training', /samples in \d+ steps/],
  ['tail', /fitting the task scorer/],
];

/** The step `latest.json` of a run directory names; -1 when there is none. */
function latestStep(dir) {
  try {
    const { checkpoint } = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoints', 'latest.json'), 'utf8'));
    return Number(checkpoint.slice(5));
  } catch {
    return -1;
  }
}

/**
 * Kill moments spread over the uninterrupted run's timeline: sorted uniform times in [0, its duration), each
 * turned into a place a resumed run also passes: `ms` after the start (start-up: loading SAM, the text encoder,
 * the samples), a `fraction` of the window in which step k+1 is trained and checkpointed (from when latest.json
 * names step k; k = 0 from the end of start-up: initialisation or resume, the first step's warm-up), or a
 * `fraction` of the tail (the task scorer's fit and the final writes, from "fitting the task scorer").
 */
function planKills(count, random, ref) {
  const times = Array.from({ length: count }, () => random() * ref.end).sort((a, b) => a - b);
  return times.map((t) => {
    if (t < ref.startup) return { phase: 'start-up', at: t, ms: t };
    if (t >= ref.tail)
      return { phase: 'scorer fit and final writes', at: t, fraction: (t - ref.tail) / (ref.end - ref.tail) };
    let k = 0;
    while (ref.reached[k + 1] !== undefined && ref.reached[k + 1] <= t) k++;
    const from = k === 0 ? ref.startup : ref.reached[k];
    const to = ref.reached[k + 1] ?? ref.tail;
    return {
      phase: 'training steps and checkpoint writes',
      at: t,
      step: k,
      fraction: (t - from) / (to - from),
    };
  });
}

/** When to kill an attempt that starts from checkpoint `resumedFrom`, for one planned moment. */
function killWatch(plan, dir, resumedFrom, ref) {
  const windowOf = (k) =>
    k === 0 ? (ref.reached[1] ?? ref.tail) - ref.startup : (ref.reached[k + 1] ?? ref.tail) - ref.reached[k];
  let anchor;
  return ({ elapsed, marks }) => {
    if (plan.ms !== undefined) return elapsed >= plan.ms;
    if (plan.step === undefined) {
      return marks.tail !== undefined && elapsed >= marks.tail + plan.fraction * (ref.end - ref.tail);
    }
    if (anchor === undefined) {
      // A step the checkpoint already covers: the same place in this attempt's first window (resume, warm-up).
      if (plan.step <= resumedFrom) {
        if (marks.training !== undefined) anchor = marks.training + plan.fraction * windowOf(0);
      } else if (latestStep(dir) >= plan.step) anchor = elapsed + plan.fraction * windowOf(plan.step);
    }
    return anchor !== undefined && elapsed >= anchor;
  };
}

async function trainPhase(options, work, coco, env, random) {
  const args = (out) => [
    'train',
    '--coco',
    coco,
    '--split',
    'train2017',
    '--out',
    out,
    '--epochs',
    '1',
    '--max-images',
    String(options.images),
    '--samples-per-image',
    '4',
    '--checkpoint-every',
    '1',
    '--seed',
    '7',
    '--val-split',
    'none',
    ...(options.threads ? ['--threads', String(options.threads)] : []),
  ];
  const logs = path.join(work, 'logs');
  const reference = path.join(work, 'train-reference');
  const killedDir = path.join(work, 'train-killed');
  log(`train: reference run (${options.images} images, seed 7) -> ${reference}`);
  const reached = [];
  let written;
  const result = await runTasam(args(reference), {
    env,
    logFile: path.join(logs, 'train-reference.log'),
    phases: TRAIN_PHASES,
    watch: ({ elapsed }) => {
      const step = latestStep(reference);
      if (step > 0 && reached[step] === undefined) reached[step] = elapsed;
      if (written === undefined && fs.existsSync(path.join(reference, 'summary.json'))) written = elapsed;
      return false;
    },
  });
  if (result.code !== 0) throw new Error(`reference training failed (exit ${result.code}), see ${logs}`);
  const totalSteps = Number(/samples in (\d+) steps/.exec(result.stderr)?.[1]);
  // The timeline ends when summary.json is written (the last file); what follows is the process exiting.
  const ref = {
    ms: result.ms,
    end: written ?? result.ms,
    startup: result.marks.training,
    tail: result.marks.tail,
    reached,
  };
  log(
    `train: reference took ${seconds(ref.ms)} (start-up ${seconds(ref.startup)}, ${totalSteps} steps ${seconds(ref.tail - ref.startup)}, scorer and final writes ${seconds(ref.end - ref.tail)}, exit ${seconds(ref.ms - ref.end)})`,
  );

  const stats = {
    kills: 0,
    attempts: 0,
    resumes: 0,
    phases: {},
    corrupt: [],
    lost: [],
    tempsLeft: 0,
    tempsRemoved: 0,
    detail: [],
  };
  const plans = planKills(options.kills, random, ref);
  let previous;
  let pendingTemps = [];
  while (stats.attempts < 3 * options.kills + 1) {
    if (plans.length === 0 && stats.kills < options.kills)
      plans.push(...planKills(options.kills - stats.kills, random, ref));
    const plan = stats.kills < options.kills ? plans.shift() : undefined;
    const state = checkRun(killedDir);
    const resume = state.latestStep >= 0;
    ageTemps(killedDir, state.temps);
    stats.attempts += 1;
    if (resume) stats.resumes += 1;
    const attempt = await runTasam([...args(killedDir), ...(resume ? ['--resume'] : [])], {
      env,
      watch: plan && killWatch(plan, killedDir, state.latestStep, ref),
      logFile: path.join(logs, `train-attempt-${String(stats.attempts).padStart(2, '0')}.log`),
      phases: TRAIN_PHASES,
    });
    const after = checkRun(killedDir, previous ?? state);
    stats.tempsRemoved += pendingTemps.filter((t) => !after.temps.some((u) => u.path === t.path)).length;
    pendingTemps = pendingTemps.filter((t) => after.temps.some((u) => u.path === t.path));
    const fresh = after.temps.filter((t) => t.pid === attempt.pid);
    stats.tempsLeft += fresh.length;
    pendingTemps.push(...fresh);
    stats.corrupt.push(...after.problems.map((p) => `attempt ${stats.attempts}: ${p}`));
    stats.lost.push(...after.lost.map((p) => `attempt ${stats.attempts}: ${p}`));
    previous = after;
    if (attempt.killed) {
      stats.kills += 1;
      // Where the kill landed, from what this attempt printed and wrote (its timing differs from the plan's).
      const { training, tail } = attempt.marks;
      const writing = fresh.some((t) => t.path.startsWith('checkpoints/'));
      let phase = 'training steps and checkpoint writes';
      let where;
      if (training === undefined || attempt.killedAt < training) phase = where = 'start-up';
      else if (tail !== undefined && attempt.killedAt >= tail) phase = where = 'scorer fit and final writes';
      else if (state.latestStep >= totalSteps) phase = where = 'resuming a finished run';
      else where = `step ${Math.max(after.latestStep, 0) + 1}${writing ? ', writing its checkpoint' : ''}`;
      stats.phases[phase] = (stats.phases[phase] ?? 0) + 1;
      stats.detail.push({
        attempt: stats.attempts,
        resumedFrom: state.latestStep,
        killedAt: attempt.killedAt,
        where,
        latestAfter: after.latestStep,
        temps: fresh.map((t) => t.path),
      });
      log(
        `train: kill ${stats.kills} at ${seconds(attempt.killedAt)} of attempt ${stats.attempts} (resumed from step ${state.latestStep}): ${where}; checkpoint now ${after.latestStep}/${totalSteps}` +
          `${fresh.length ? `, left ${fresh.map((t) => t.path).join(', ')}` : ''}${after.problems.length + after.lost.length ? ' PROBLEMS' : ''}`,
      );
      continue;
    }
    if (attempt.code !== 0)
      throw new Error(`training attempt ${stats.attempts} failed (exit ${attempt.code}), see ${logs}`);
    if (plan) {
      log(`train: attempt ${stats.attempts} finished before its planned kill (${plan.phase}); running again`);
      continue;
    }
    log(`train: attempt ${stats.attempts} ran to the end (${seconds(attempt.ms)})`);
    break;
  }
  stats.tempsAtEnd = pendingTemps.map((t) => t.path);
  const latest = JSON.parse(
    fs.readFileSync(path.join(reference, 'checkpoints', 'latest.json'), 'utf8'),
  ).checkpoint;
  const killedLatest = JSON.parse(
    fs.readFileSync(path.join(killedDir, 'checkpoints', 'latest.json'), 'utf8'),
  ).checkpoint;
  const compare = {
    'hypernet.safetensors': sameBytes(
      path.join(reference, 'hypernet.safetensors'),
      path.join(killedDir, 'hypernet.safetensors'),
    ),
    'latest checkpoint': latest === killedLatest,
  };
  for (const part of ['model.safetensors', 'optimizer.safetensors', 'state.json'])
    compare[`checkpoints/${latest}/${part}`] = sameBytes(
      path.join(reference, 'checkpoints', latest, part),
      path.join(killedDir, 'checkpoints', killedLatest, part),
    );
  compare['loss-curve.svg'] = sameBytes(
    path.join(reference, 'loss-curve.svg'),
    path.join(killedDir, 'loss-curve.svg'),
  );
  const records = (dir) =>
    JSON.stringify(checkJsonl(fs.readFileSync(path.join(dir, 'train.jsonl'), 'utf8')).map(withoutTimings));
  compare['train.jsonl (without ms, waitMs)'] = records(reference) === records(killedDir);
  // `samples` counts the samples of the last attempt only.
  compare['summary.json (without timings, samples)'] = sameJson(
    path.join(reference, 'summary.json'),
    path.join(killedDir, 'summary.json'),
    ['samples'],
  );
  stats.compare = compare;
  stats.identical = Object.values(compare).every(Boolean);
  stats.totalSteps = totalSteps;
  return stats;
}

async function evalPhase(options, work, coco, env, random) {
  const args = (out, shard) => [
    'eval',
    '--coco',
    coco,
    '--split',
    'val2017',
    '--protocol',
    'click,category,box',
    '--limit',
    String(options.evalImages),
    '--shard',
    `${shard}/${options.shards}`,
    '--out',
    out,
    ...(options.threads ? ['--threads', String(options.threads)] : []),
  ];
  const logs = path.join(work, 'logs');
  const reference = path.join(work, 'eval-reference');
  const killedDir = path.join(work, 'eval-killed');
  const durations = [];
  for (let shard = 0; shard < options.shards; shard++) {
    const r = await runTasam(args(reference, shard), {
      env,
      logFile: path.join(logs, `eval-reference-${shard}.log`),
    });
    if (r.code !== 0) throw new Error(`reference eval shard ${shard} failed (exit ${r.code}), see ${logs}`);
    durations.push(r.ms);
  }
  log(`eval: reference shards took ${durations.map(seconds).join(', ')}`);
  const stats = {
    kills: 0,
    reruns: 0,
    corrupt: [],
    lost: [],
    viewDirsLeft: 0,
    viewDirsRemoved: 0,
    tempsLeft: 0,
    tempsRemoved: 0,
  };
  let outTemps = [];
  const viewDirs = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('tasam-eval-view'));
  const killedViews = new Set();
  let complete = new Set();
  for (let shard = 0; shard < options.shards; shard++) {
    // Kills spread over the shards; every shard is then run to the end.
    const kills =
      Math.floor(options.evalKills / options.shards) + (shard < options.evalKills % options.shards ? 1 : 0);
    let killed = 0;
    for (let k = 0; k < 3 * kills + 2; k++) {
      const killAt = killed < kills ? Math.round(random() * durations[shard]) : undefined;
      if (k > 0) stats.reruns += 1;
      for (const n of viewDirs()) if (killedViews.has(n)) ageTemps(os.tmpdir(), [{ path: n }]);
      ageTemps(killedDir, outTemps);
      const before = new Set(viewDirs());
      const r = await runTasam(args(killedDir, shard), {
        env,
        killAfterMs: killAt,
        logFile: path.join(logs, `eval-shard-${shard}-attempt-${k}.log`),
      });
      for (const n of killedViews)
        if (!viewDirs().includes(n)) {
          killedViews.delete(n);
          stats.viewDirsRemoved += 1;
        }
      const found = inspect(killedDir);
      stats.corrupt.push(...found.corrupt);
      stats.tempsRemoved += outTemps.filter((t) => !found.temps.some((u) => u.path === t.path)).length;
      stats.tempsLeft += found.temps.filter((t) => t.pid === r.pid).length;
      outTemps = found.temps;
      for (const name of found.files.keys()) {
        const part = found.files.get(name);
        if (
          /^eval-shard-/.test(name) &&
          (part?.format !== 'tasam-eval-part' || !Array.isArray(part.imageIds))
        )
          stats.corrupt.push(`${name}: not a whole shard file`);
      }
      const now = new Set(found.files.keys());
      for (const name of complete) if (!now.has(name)) stats.lost.push(`${name} disappeared`);
      complete = now;
      if (r.killed) {
        stats.kills += 1;
        killed += 1;
        const left = viewDirs().filter((n) => !before.has(n) && n.includes(`.${r.pid}.`));
        for (const n of left) killedViews.add(n);
        stats.viewDirsLeft += left.length;
        log(
          `eval: shard ${shard}/${options.shards} killed at ${seconds(killAt)}${left.length ? ', left its COCO view in the temporary directory' : ''}`,
        );
        continue;
      }
      if (r.code !== 0) throw new Error(`eval shard ${shard} failed (exit ${r.code}), see ${logs}`);
      if (killAt !== undefined) {
        log(`eval: shard ${shard} finished before its kill at ${seconds(killAt)}; running it again`);
        continue;
      }
      break;
    }
  }
  stats.viewDirsAtEnd = killedViews.size;
  stats.tempsAtEnd = outTemps.map((t) => t.path);
  for (const dir of [reference, killedDir]) {
    const r = await runTasam(['eval', '--merge', '--out', dir], {
      env,
      logFile: path.join(logs, `eval-merge-${path.basename(dir)}.log`),
    });
    if (r.code !== 0) throw new Error(`eval --merge ${dir} failed (exit ${r.code})`);
  }
  const compare = {};
  for (let shard = 0; shard < options.shards; shard++) {
    const name = `eval-shard-${String(shard).padStart(3, '0')}-of-${String(options.shards).padStart(3, '0')}.json`;
    compare[`${name} (without timings)`] = sameJson(path.join(reference, name), path.join(killedDir, name));
  }
  compare['eval.json (without timings)'] = sameJson(
    path.join(reference, 'eval.json'),
    path.join(killedDir, 'eval.json'),
  );
  const report = JSON.parse(fs.readFileSync(path.join(killedDir, 'eval.json'), 'utf8'));
  stats.compare = compare;
  stats.identical = Object.values(compare).every(Boolean);
  stats.miou = report.point
    ? Object.fromEntries(
        ['click', 'category', 'box'].map((p) => [
          p,
          { plain: report.point[p]?.plain?.overall, tasam: report.point[p]?.tasam?.overall },
        ]),
      )
    : undefined;
  return stats;
}

async function embedPhase(options, work, env, random) {
  // A private cache (its models linked to the normal one) so every attempt really computes and writes.
  const cache = path.join(work, 'embed-cache');
  fs.mkdirSync(cache, { recursive: true });
  const models = path.join(env.TASAM_CACHE ?? path.join(os.homedir(), '.cache', 'tasam'), 'models');
  if (fs.existsSync(models) && !fs.existsSync(path.join(cache, 'models')))
    fs.symlinkSync(models, path.join(cache, 'models'));
  const images = path.join(work, 'embed-images');
  fs.mkdirSync(images, { recursive: true });
  for (const name of ['cats.jpg', 'elephants.jpg', 'suitcases.jpg'])
    fs.copyFileSync(path.join(repo, 'examples', name), path.join(images, name));
  const embedEnv = { ...env, TASAM_CACHE: cache };
  const embeddings = path.join(cache, 'embeddings');
  // One leftover as `tasam embed` killed mid-write used to leave it: `<key>.emb.<dead pid>.<ms>.tmp`.
  const dead = await runTasam(['--version'], { env });
  fs.mkdirSync(embeddings, { recursive: true });
  const planted = `${'0'.repeat(32)}-${'0'.repeat(16)}.emb.${dead.pid}.1712345678901.tmp`;
  fs.writeFileSync(path.join(embeddings, planted), Buffer.alloc(1000));
  const stats = { kills: 0, corrupt: [], tempsLeft: 1, tempsRemoved: 0 };
  const logs = path.join(work, 'logs');
  const first = await runTasam(['embed', images], {
    env: embedEnv,
    logFile: path.join(logs, 'embed-timing.log'),
  });
  if (first.code !== 0) throw new Error(`tasam embed failed (exit ${first.code}), see ${logs}`);
  fs.rmSync(path.join(cache, 'embeddings'), { recursive: true, force: true });
  fs.mkdirSync(embeddings, { recursive: true });
  fs.writeFileSync(path.join(embeddings, planted), Buffer.alloc(1000));
  let pending = [{ path: planted }];
  for (let k = 0; k <= options.embedKills; k++) {
    ageTemps(embeddings, pending);
    const killAt = k < options.embedKills ? Math.round(random() * first.ms) : undefined;
    const r = await runTasam(['embed', images], {
      env: embedEnv,
      killAfterMs: killAt,
      logFile: path.join(logs, `embed-attempt-${k}.log`),
    });
    const found = inspect(embeddings);
    stats.corrupt.push(...found.corrupt);
    const removed = pending.filter((t) => !found.temps.some((u) => u.path === t.path));
    stats.tempsRemoved += removed.length;
    pending = found.temps;
    const fresh = found.temps.filter((t) => t.pid === r.pid);
    stats.tempsLeft += fresh.length;
    if (r.killed) {
      stats.kills += 1;
      log(`embed: kill ${stats.kills} at ${seconds(killAt)}${fresh.length ? ', left a temporary file' : ''}`);
    } else if (r.code !== 0) throw new Error(`tasam embed failed (exit ${r.code}), see ${logs}`);
    else if (k === options.embedKills) break;
  }
  stats.tempsAtEnd = pending.map((t) => t.path);
  stats.embeddings = [...inspect(embeddings).files.keys()].filter((f) => f.endsWith('.emb')).length;
  return stats;
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: pnpm --filter @tasam/cli... build`);
  const coco = path.resolve(process.env.TASAM_COCO ?? path.join(repo, '..', 'shared', 'coco-mini'));
  const work = options.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tasam-kill-resume-'));
  fs.mkdirSync(path.join(work, 'logs'), { recursive: true });
  const env = { ...process.env, NO_COLOR: '1' };
  const random = rng(options.seed);
  const started = Date.now();
  log(`kill-resume: seed ${options.seed}, work directory ${work}`);
  const train = await trainPhase(options, work, coco, env, random);
  const evaluation = options.skipEval ? undefined : await evalPhase(options, work, coco, env, random);
  const embed = options.skipEmbed ? undefined : await embedPhase(options, work, env, random);

  log('');
  log(`train (${options.images} images, ${train.totalSteps} steps, checkpoint every step):`);
  log(
    `  kills ${train.kills} (${Object.entries(train.phases)
      .map(([p, n]) => `${n} in ${p}`)
      .join(', ')}), attempts ${train.attempts}, resumes ${train.resumes}`,
  );
  log(`  killed in: ${train.detail.map((d) => d.where).join('; ')}`);
  log(`  corrupted files after a kill: ${train.corrupt.length}; lost: ${train.lost.length}`);
  for (const p of [...train.corrupt, ...train.lost]) log(`    ${p}`);
  log(
    `  temporary files left by kills: ${train.tempsLeft}, removed by a later run: ${train.tempsRemoved}, still there: ${train.tempsAtEnd.length}`,
  );
  for (const [what, same] of Object.entries(train.compare))
    log(`  ${same ? 'identical' : 'DIFFERENT'}  ${what}`);
  if (evaluation) {
    log(`eval --shard i/${options.shards} (${options.evalImages} images of val2017, click,category,box):`);
    log(
      `  kills ${evaluation.kills}, reruns ${evaluation.reruns}, corrupted ${evaluation.corrupt.length}, lost ${evaluation.lost.length}`,
    );
    for (const p of [...evaluation.corrupt, ...evaluation.lost]) log(`    ${p}`);
    log(
      `  temporary files left by kills in --out: ${evaluation.tempsLeft}, removed by a later run: ${evaluation.tempsRemoved}, still there: ${evaluation.tempsAtEnd.length}`,
    );
    log(
      `  COCO views left in the temporary directory by kills: ${evaluation.viewDirsLeft}, removed by a later run: ${evaluation.viewDirsRemoved}`,
    );
    for (const [what, same] of Object.entries(evaluation.compare))
      log(`  ${same ? 'identical' : 'DIFFERENT'}  ${what}`);
    if (evaluation.miou)
      log(
        `  mIoU plain -> tasam: ${Object.entries(evaluation.miou)
          .map(([p, m]) => `${p} ${m.plain?.toFixed(3)} -> ${m.tasam?.toFixed(3)}`)
          .join(', ')}`,
      );
  }
  if (embed) {
    log('embed (3 images, private cache):');
    log(`  kills ${embed.kills}, corrupted ${embed.corrupt.length}, embeddings written ${embed.embeddings}`);
    log(
      `  temporary files (1 planted + left by kills): ${embed.tempsLeft}, removed by a later run: ${embed.tempsRemoved}, still there: ${embed.tempsAtEnd.length}`,
    );
  }
  const ok =
    train.corrupt.length + train.lost.length === 0 &&
    train.identical &&
    (!evaluation || (evaluation.corrupt.length + evaluation.lost.length === 0 && evaluation.identical)) &&
    (!embed || (embed.corrupt.length === 0 && embed.tempsAtEnd.length === 0));
  log(`total ${seconds(Date.now() - started)}: ${ok ? 'OK' : 'FAILED'} (logs in ${path.join(work, 'logs')})`);
  fs.writeFileSync(
    path.join(work, 'summary.json'),
    `${JSON.stringify({ options, train, evaluation, embed, ok }, null, 1)}\n`,
  );
  if (!options.keep && ok && !options.work) fs.rmSync(work, { recursive: true, force: true });
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`kill-resume: ${error.message}\n`);
    process.exit(2);
  },
);
