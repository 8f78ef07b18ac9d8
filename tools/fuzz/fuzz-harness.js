// The shared part of tasam's fuzz tests (`*.fuzz.test.ts`): how many cases each property runs, its seed, the
// outcome of every case (valid result, typed error, crash, hang), the rows the fuzz table is made of, and pure
// mutation operators. It does not import fast-check: each package drives it with its own copy, so this file
// stays plain CommonJS that any package's jest can require (see fuzz-harness.d.ts for the types).

const { mkdirSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

/** Where each parser's row is written: `<repo>/test-artifacts/fuzz/<package>--<parser>.json`. */
const FUZZ_ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'fuzz');

function envInt(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number >= 1, got "${text}"`);
  return value;
}

/** Cases per property: small by default so `pnpm test` stays quick; `pnpm fuzz` sets TASAM_FUZZ_RUNS=10000. */
const FUZZ_RUNS = envInt('TASAM_FUZZ_RUNS', 100);
/** Base seed: fixed, so every run (and every failure) is reproducible; override with TASAM_FUZZ_SEED. */
const FUZZ_SEED = envInt('TASAM_FUZZ_SEED', 18_2);
/** A case that takes longer than this is reported as a hang (never a test failure). */
const FUZZ_HANG_MS = envInt('TASAM_FUZZ_HANG_MS', 10_000);
/** Rows are written only in fuzz runs (TASAM_FUZZ_RUNS set), not by every `pnpm test`. */
const FUZZ_REPORT = (process.env.TASAM_FUZZ_RUNS ?? '').trim() !== '';

/** FNV-1a of a string: a stable per-property seed offset. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** fast-check parameters for one property: the run count and a seed derived from the base seed and `name`. */
function fuzzParams(name) {
  return { numRuns: FUZZ_RUNS, seed: (FUZZ_SEED ^ hash(name)) | 0 };
}

/**
 * A jest timeout for one property: generous (a shared, loaded 2-core machine can be 20x slower than an idle
 * one) and never a pass/fail criterion on speed, only a stop for a property that hangs outright.
 */
function fuzzTimeout(msPerCase = 5) {
  return Math.max(300_000, FUZZ_RUNS * msPerCase * 20);
}

const TASAM_ERROR = Symbol.for('tasam.error');
const isTasamError = (value) => typeof value === 'object' && value !== null && value[TASAM_ERROR] === true;
const HANG = Symbol('hang');

/**
 * Outcomes of one parser under fuzzing. Every case must end in a valid result (optionally checked by
 * `check`), a rejection the parser reports as a value (`rejected`), or a TasamError whose message names the
 * input; anything else (a TypeError, a RangeError, an untyped Error, a typed error that does not name the
 * input, a result that fails `check`) is a crash and makes the property fail, so fast-check shrinks it.
 */
class ParserFuzz {
  constructor(options) {
    this.package = options.package;
    this.parser = options.parser;
    this.isTyped = options.isTyped ?? (() => true);
    this.hangMs = options.hangMs ?? FUZZ_HANG_MS;
    this.properties = [];
    this.cases = 0;
    this.valid = 0;
    this.rejected = 0;
    this.crashes = 0;
    this.hangs = 0;
    this.maxMs = 0;
    this.peakRssMb = 0;
    this.samples = [];
    this.recording = true;
    this.current = '';
  }

  /** Starts a property: returns its fast-check parameters. Cases after its first crash are shrink runs. */
  property(name) {
    this.current = name;
    this.recording = true;
    if (!this.properties.includes(name)) this.properties.push(name);
    return fuzzParams(`${this.package}/${this.parser}/${name}`);
  }

  /** Runs one synchronous case; true unless it crashed. `name` must appear in a typed error's message. */
  run(name, parse, options = {}) {
    const start = performance.now();
    let outcome;
    try {
      outcome = this.classifyResult(parse(), options);
    } catch (error) {
      outcome = this.classifyError(name, error);
    }
    return this.record(outcome, performance.now() - start);
  }

  /** runAsync: the same for a promise; one that settles after the hang budget is reported as a hang. */
  async runAsync(name, parse, options = {}) {
    const start = performance.now();
    let timer;
    const hang = new Promise((resolveHang) => {
      timer = setTimeout(() => resolveHang(HANG), this.hangMs);
    });
    let outcome;
    try {
      const result = await Promise.race([parse(), hang]);
      outcome = result === HANG ? { kind: 'hang' } : this.classifyResult(result, options);
    } catch (error) {
      outcome = this.classifyError(name, error);
    } finally {
      clearTimeout(timer);
    }
    return this.record(outcome, performance.now() - start);
  }

  classifyResult(result, options) {
    const problem = options.check?.(result);
    if (problem !== undefined) return { kind: 'crash', message: `bad result: ${problem}` };
    return options.rejected?.(result) ? { kind: 'rejected' } : { kind: 'valid' };
  }

  classifyError(name, error) {
    if (isTasamError(error) && this.isTyped(error)) {
      const message = String(error.message ?? '');
      if (message.trim() === '') return { kind: 'crash', message: `${error.name} with an empty message` };
      if (name !== undefined && !message.includes(name))
        return {
          kind: 'crash',
          message: `${error.name} does not name the input ${JSON.stringify(name)}: ${message}`,
        };
      return { kind: 'rejected' };
    }
    const described =
      error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
        ? `${error.name ?? 'Error'}: ${error.message}`
        : `thrown ${typeof error}: ${String(error)}`;
    return { kind: 'crash', message: `untyped ${described}`.slice(0, 500) };
  }

  record(outcome, ms) {
    const ok = outcome.kind !== 'crash';
    if (!this.recording) return ok;
    this.cases++;
    if (outcome.kind === 'valid') this.valid++;
    else if (outcome.kind === 'rejected') this.rejected++;
    else if (outcome.kind === 'crash') this.crashes++;
    if (outcome.kind === 'hang' || ms > this.hangMs) {
      this.hangs++;
      if (this.samples.length < 5)
        this.samples.push({ property: this.current, kind: 'hang', ms: Math.round(ms) });
    }
    if (ms > this.maxMs) this.maxMs = ms;
    const rss = process.memoryUsage.rss() / 2 ** 20;
    if (rss > this.peakRssMb) this.peakRssMb = rss;
    if (!ok) {
      if (this.samples.length < 5)
        this.samples.push({ property: this.current, kind: 'crash', message: outcome.message });
      // What follows are fast-check's shrink runs of this failure, not new cases.
      this.recording = false;
    }
    return ok;
  }

  /** The row of the fuzz table. */
  row() {
    return {
      package: this.package,
      parser: this.parser,
      properties: this.properties,
      runsPerProperty: FUZZ_RUNS,
      seed: FUZZ_SEED,
      cases: this.cases,
      valid: this.valid,
      rejected: this.rejected,
      crashes: this.crashes,
      hangs: this.hangs,
      maxMs: Math.round(this.maxMs * 10) / 10,
      peakRssMb: Math.round(this.peakRssMb),
      samples: this.samples,
    };
  }

  /** Writes the row (fuzz runs only); call from afterAll. */
  report() {
    if (!FUZZ_REPORT) return;
    mkdirSync(FUZZ_ARTIFACTS, { recursive: true });
    const slug = (text) =>
      text
        .toLowerCase()
        .replace(/^@tasam\//, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
    const file = join(FUZZ_ARTIFACTS, `${slug(this.package)}--${slug(this.parser)}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ ...this.row(), writtenAt: new Date().toISOString() }, null, 2)}\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Mutation operators. Pure functions of their input and a list of operations that fast-check generates, so a
// failing case shrinks to the fewest, simplest operations.

const BYTE_MUTATIONS = ['flip', 'set', 'truncate', 'insert', 'delete', 'duplicate', 'zero-run', 'ff-run'];

/** A mutated copy of `bytes`: each op picks a position by `at` (0 <= at < 1) and uses `value` (0..255). */
function mutateBytes(bytes, ops) {
  let out = Uint8Array.from(bytes);
  for (const { kind, at, value } of ops) {
    const i = Math.min(out.length, Math.floor(at * (out.length + 1)));
    const v = value & 0xff;
    switch (kind) {
      case 'flip':
        if (i < out.length) out[i] ^= 1 << (v & 7);
        break;
      case 'set':
        if (i < out.length) out[i] = v;
        break;
      case 'truncate':
        out = out.slice(0, i);
        break;
      case 'insert':
        out = concat(out.subarray(0, i), Uint8Array.of(v), out.subarray(i));
        break;
      case 'delete':
        out = concat(out.subarray(0, i), out.subarray(i + 1 + (v & 15)));
        break;
      case 'duplicate':
        out = concat(out.subarray(0, i + 1 + v), out.subarray(i));
        break;
      case 'zero-run':
      case 'ff-run':
        out.fill(kind === 'zero-run' ? 0 : 0xff, i, i + 1 + v);
        break;
      default:
        throw new Error(`unknown byte mutation ${kind}`);
    }
  }
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const JSON_MUTATIONS = ['delete', 'replace', 'scale', 'nest', 'duplicate', 'to-string'];

/**
 * Values that break naive parsers: wrong types, empty containers, negative, fractional, huge and non-finite
 * numbers (NaN and the infinities only exist in memory, not in JSON text), numbers past 2^32 and 2^53, long
 * strings, prototype keys.
 */
const HOSTILE_VALUES = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  0.5,
  -2.5,
  255,
  65536,
  2 ** 31,
  2 ** 32,
  2 ** 32 + 1,
  -(2 ** 32),
  2 ** 53 + 2,
  1e15,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  ' ',
  '0',
  '-1',
  '1e999',
  'NaN',
  'x'.repeat(5000),
  '\u0000',
  '\ud800',
  '__proto__',
  [],
  [0],
  [-1, -1],
  [1e9, 1e9],
  [0, 0, 0, 0],
  {},
  { __proto__: null, constructor: 1 },
  JSON.parse('{"__proto__":{"polluted":1}}'),
];

/** Every [parent, key] of `root` in pre-order, the root itself as [undefined, undefined]. */
function nodesOf(root) {
  const nodes = [[undefined, undefined]];
  const walk = (value) => {
    if (typeof value !== 'object' || value === null) return;
    const keys = Array.isArray(value) ? value.keys() : Object.keys(value);
    for (const key of keys) {
      nodes.push([value, key]);
      walk(value[key]);
    }
  };
  walk(root);
  return nodes;
}

/**
 * A mutated deep copy of a JSON-like `value`. Each op picks a node by `at` (0 <= at < 1) and deletes it,
 * replaces it by `replacement`, scales a number by `factor`, nests it `depth` arrays deep, duplicates an array
 * element or turns it into its JSON text.
 */
function mutateJson(value, ops) {
  const holder = { root: structuredCloneJson(value) };
  for (const op of ops) {
    const nodes = nodesOf(holder.root);
    const [parent0, key0] = nodes[Math.min(nodes.length - 1, Math.floor(op.at * nodes.length))];
    const parent = parent0 ?? holder;
    const key = parent0 === undefined ? 'root' : key0;
    const current = parent[key];
    switch (op.kind) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key, 1);
        else if (parent !== holder) delete parent[key];
        break;
      case 'replace':
        setOwn(parent, key, structuredCloneJson(op.replacement));
        break;
      case 'scale':
        setOwn(parent, key, typeof current === 'number' ? current * (op.factor ?? -1) : op.factor);
        break;
      case 'nest': {
        let nested = current;
        for (let d = 0; d < (op.depth ?? 1); d++) nested = [nested];
        setOwn(parent, key, nested);
        break;
      }
      case 'duplicate':
        if (Array.isArray(current) && current.length > 0)
          for (let d = 0; d < Math.min(op.depth ?? 1, 64); d++) current.push(structuredCloneJson(current[0]));
        break;
      case 'to-string':
        setOwn(parent, key, JSON.stringify(current) ?? 'undefined');
        break;
      default:
        throw new Error(`unknown JSON mutation ${op.kind}`);
    }
  }
  return holder.root;
}

/** parent[key] = value as an own property, even for `__proto__`. */
function setOwn(parent, key, value) {
  Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A deep copy of plain data (own `__proto__` keys stay own keys; typed arrays are copied). */
function structuredCloneJson(value) {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) return value.slice();
  if (Array.isArray(value)) return value.map(structuredCloneJson);
  const out = {};
  for (const key of Object.keys(value)) setOwn(out, key, structuredCloneJson(value[key]));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// fast-check arbitraries of those operations, the same in every fuzz test (fast-check is a devDependency of the
// repository root, so this file finds it).

const fc = require('fast-check');

/** Where an operation acts: a fraction of the input's length (0 <= at < 1). */
const AT = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** 1 to `maxLength` byte mutations (see mutateBytes). */
function byteMutations(maxLength) {
  return fc.array(fc.record({ kind: fc.constantFrom(...BYTE_MUTATIONS), at: AT, value: fc.nat(255) }), {
    minLength: 1,
    maxLength,
  });
}

/** A value for a JSON field: HOSTILE_VALUES, any small JSON, any double, or an integer of `integers`. */
function hostileJsonValue(integers) {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_VALUES),
    fc.jsonValue({ maxDepth: 2 }),
    fc.double(),
    fc.integer(integers),
  );
}

/**
 * 1 to `maxLength` JSON mutations (see mutateJson): 'replace' puts a `replacement` value in, 'scale' multiplies a
 * number by one of `factors`, 'nest' wraps a node in 1 to `maxDepth` arrays.
 */
function jsonMutations({ replacement, factors, maxDepth, maxLength }) {
  return fc.array(
    fc.record({
      kind: fc.constantFrom(...JSON_MUTATIONS),
      at: AT,
      replacement,
      factor: fc.constantFrom(...factors),
      depth: fc.integer({ min: 1, max: maxDepth }),
    }),
    { minLength: 1, maxLength },
  );
}

module.exports = {
  BYTE_MUTATIONS,
  FUZZ_ARTIFACTS,
  FUZZ_HANG_MS,
  FUZZ_REPORT,
  FUZZ_RUNS,
  FUZZ_SEED,
  HOSTILE_VALUES,
  JSON_MUTATIONS,
  ParserFuzz,
  byteMutations,
  fuzzParams,
  fuzzTimeout,
  hostileJsonValue,
  jsonMutations,
  mutateBytes,
  mutateJson,
};
