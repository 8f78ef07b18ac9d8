// Fuzzed detector model files: the graph JSON (its text, and its weightsManifest: paths, names, shapes,
// dtypes, quantisation), the weights file beside it, and the checksums. Every model directory gives artifacts
// whose weight specs describe exactly the weight bytes read, or a typed error naming the file; nothing is
// read from outside the directory and nothing is allocated beyond the files' size.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {
  byteMutations,
  fuzzTimeout,
  HOSTILE_VALUES,
  jsonMutations,
  mutateBytes,
  mutateJson,
  ParserFuzz,
} from '../../../../tools/fuzz/fuzz-harness';
import { DetectorModelChecksumError, DetectorModelLoadError, DetectorModelReadError } from '../errors';
import { readModelArtifacts } from './model-files';

const fuzz = new ParserFuzz({
  package: '@tasam/detector',
  parser: 'detector model files',
  isTyped: (error) =>
    error instanceof DetectorModelLoadError ||
    error instanceof DetectorModelReadError ||
    error instanceof DetectorModelChecksumError,
});
const root = mkdtempSync(join(tmpdir(), 'tasam-detector-fuzz-'));
const dir = join(root, 'model');
mkdirSync(dir);
// A file next to the model directory that a manifest must not be able to reach with `../`.
writeFileSync(join(root, 'secret.bin'), Buffer.alloc(46, 1));
afterAll(() => {
  fuzz.report();
  rmSync(root, { recursive: true, force: true });
});

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** The specs describe exactly the weight bytes, and the topology and specs are what the file said. */
function wellFormed(artifacts: tf.io.ModelArtifacts): string | undefined {
  const data = artifacts.weightData;
  const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : (data?.byteLength ?? 0);
  let expected = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    const values = spec.shape.reduce((p, d) => p * d, 1);
    expected += values * BYTES[spec.quantization?.dtype ?? spec.dtype];
  }
  if (bytes !== expected) return `specs describe ${expected} bytes, ${bytes} were read`;
  if (typeof artifacts.modelTopology !== 'object' || artifacts.modelTopology === null) return 'no topology';
  return undefined;
}

/** A tiny graph model in the converter's layout: float32, int32 and float16-quantised weights, 46 bytes. */
const GRAPH = {
  format: 'graph-model',
  generatedBy: 'fuzz',
  convertedBy: null,
  modelTopology: { node: [{ name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' } } }] },
  weightsManifest: [
    {
      paths: ['centernet.bin'],
      weights: [
        { name: 'a', shape: [2, 3], dtype: 'float32' },
        { name: 'b', shape: [4], dtype: 'int32' },
        { name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'float16', scale: 1, min: 0 } },
      ],
    },
  ],
};
const WEIGHTS = Buffer.alloc(46, 7);
const REAL_GRAPH = readFileSync(join(__dirname, '../../models/centernet.json'));

/** Writes the model directory and reads it, as CocoDetector.load does. */
function load(graph: Uint8Array, weights: Uint8Array | undefined, verify: boolean) {
  const graphPath = join(dir, 'centernet.json');
  rmSync(join(dir, 'centernet.bin'), { force: true });
  writeFileSync(graphPath, graph);
  if (weights) writeFileSync(join(dir, 'centernet.bin'), weights);
  // Errors name the graph file or the weight file; both are in the model directory.
  return fuzz.runAsync(dir, () => readModelArtifacts(dir, verify), { check: wellFormed });
}

const byteOps = byteMutations(3);
const hostile = fc.oneof(
  fc.constantFrom(...HOSTILE_VALUES),
  fc.constantFrom(
    '../secret.bin',
    '/etc/hostname',
    'centernet.bin',
    'sub/../centernet.bin',
    'float16',
    'uint8',
  ),
  fc.constantFrom('string', 'complex64', 'int64', [2 ** 20, 2 ** 20], [1e9], [46], [-1, 2], [11, 1]),
  fc.jsonValue({ maxDepth: 2 }),
);
const jsonOps = jsonMutations({
  replacement: hostile,
  factors: [-1, 0, 2, 1e9, 2 ** 32, Number.NaN],
  maxDepth: 100,
  maxLength: 3,
});

describe('detector model files under fuzzing', () => {
  it(
    'read mutated manifests (paths, names, shapes, dtypes, quantisation) or reject them naming the file',
    async () => {
      await fc.assert(
        fc.asyncProperty(jsonOps, fc.integer({ min: -8, max: 8 }), fc.boolean(), (ops, grow, verify) => {
          const weights =
            grow >= 0 ? Buffer.concat([WEIGHTS, Buffer.alloc(grow)]) : WEIGHTS.subarray(0, 46 + grow);
          return load(
            Buffer.from(JSON.stringify(mutateJson(GRAPH, ops)) ?? ''),
            weights,
            verify && grow === 0,
          );
        }),
        fuzz.property('mutated manifests'),
      );
    },
    fuzzTimeout(10),
  );

  it(
    'read bit-flipped and truncated graph files, or reject them (with the checksum when verifying)',
    async () => {
      await fc.assert(
        fc.asyncProperty(byteOps, fc.boolean(), fc.boolean(), (ops, real, withWeights) =>
          load(
            mutateBytes(real ? REAL_GRAPH : Buffer.from(JSON.stringify(GRAPH)), ops),
            withWeights ? WEIGHTS : undefined,
            real,
          ),
        ),
        fuzz.property('mutated graph bytes'),
      );
    },
    fuzzTimeout(10),
  );

  it(
    'reject random bytes and JSON values as graph files',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }),
            fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')),
          ),
          fc.boolean(),
          (graph, verify) => load(graph, WEIGHTS, verify),
        ),
        fuzz.property('random graph files'),
      );
    },
    fuzzTimeout(10),
  );

  it('refuses weight paths outside the model directory and manifests claiming more bytes (regressions)', async () => {
    const outside = {
      ...GRAPH,
      weightsManifest: [{ ...GRAPH.weightsManifest[0], paths: ['../secret.bin'] }],
    };
    writeFileSync(join(dir, 'centernet.json'), JSON.stringify(outside));
    await expect(readModelArtifacts(dir, false)).rejects.toThrow(
      /"..\/secret.bin" is outside the model directory/,
    );
    const huge = {
      ...GRAPH,
      weightsManifest: [
        { paths: ['centernet.bin'], weights: [{ name: 'w', shape: [2 ** 20, 2 ** 10], dtype: 'float32' }] },
      ],
    };
    writeFileSync(join(dir, 'centernet.json'), JSON.stringify(huge));
    writeFileSync(join(dir, 'centernet.bin'), WEIGHTS);
    await expect(readModelArtifacts(dir, false)).rejects.toThrow(
      /describes 4294967296 bytes of weights, the weight files hold 46/,
    );
    writeFileSync(
      join(dir, 'centernet.json'),
      JSON.stringify({ ...GRAPH, weightsManifest: [{ paths: [7], weights: [] }] }),
    );
    await expect(readModelArtifacts(dir, false)).rejects.toThrow(/weight file 7 is not a file name/);
  });
});
