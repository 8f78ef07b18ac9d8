// Fuzzed hypernetwork checkpoints (safetensors + config and scorer config in `__metadata__`): bit-flipped
// files, mutated configs (huge layer counts, wrong types, missing fields), mutated scorer configs, tensors of
// other shapes and dtypes, NaN weights. Every input gives a network and scorer whose weights match their
// config and are finite, or a typed error naming the file, without allocating beyond what the file holds.
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '@tasam/lora';
import fc from 'fast-check';
import {
  byteMutations,
  fuzzTimeout,
  HOSTILE_VALUES,
  jsonMutations,
  mutateBytes,
  mutateJson,
  ParserFuzz,
} from '../../../tools/fuzz/fuzz-harness';
import { randomScorer } from '../test/helpers';
import { decodeHypernet, encodeHypernet } from './checkpoint';
import { CheckpointFormatError, CheckpointMismatchError } from './errors';
import { resolveConfig } from './hypernet-config';
import { Hypernetwork } from './hypernetwork';
import type { TaskMaskScorer } from './task-mask-scorer';
import { useBackend } from './tf';

const SOURCE = 'fuzz/hypernet.safetensors';
const fuzz = new ParserFuzz({
  package: '@tasam/hypernet',
  parser: 'hypernet checkpoints',
  isTyped: (error) => error instanceof CheckpointFormatError || error instanceof CheckpointMismatchError,
});
afterAll(() => fuzz.report());

const CONFIG = resolveConfig({
  textEncoderId: 'fuzz-encoder',
  textDim: 4,
  targets: [
    { path: 'iou_prediction_head.layers.0', inFeatures: 4, outFeatures: 3 },
    { path: 'output_hypernetworks_mlps.0.layers.1', inFeatures: 2, outFeatures: 3 },
  ],
  dModel: 8,
  layers: 1,
  heads: 2,
  mlpDim: 8,
  rank: 2,
  alpha: 4,
});
const SCORER_CONFIG = { featureDim: 4, hidden: 4, jointDim: 2, textDim: 4, references: 2 };

let VALID: Uint8Array;
let VALID_F16: Uint8Array;
beforeAll(async () => {
  await useBackend('cpu');
  const net = Hypernetwork.initialise(CONFIG, 1);
  const scorer = randomScorer(2, SCORER_CONFIG);
  VALID = encodeHypernet(net, { scorer, metadata: { note: 'fuzz' } });
  VALID_F16 = encodeHypernet(net, { dtype: 'F16' });
  net.dispose();
});

/** Weights match the config's shapes and are finite; the scorer too. Disposes the network. */
function wellFormed({ net, scorer }: { net: Hypernetwork; scorer?: TaskMaskScorer }): string | undefined {
  try {
    const shapes = Hypernetwork.parameterShapes(net.config);
    const arrays = net.toArrays();
    for (const [name, shape] of shapes) {
      const values = arrays.get(name);
      if (!values || values.length !== shape.reduce((p, d) => p * d, 1)) return `parameter ${name}`;
      if (!values.every(Number.isFinite)) return `parameter ${name} has non-finite values`;
    }
    for (const [name, values] of scorer?.toArrays() ?? [])
      if (!values.every(Number.isFinite)) return `scorer ${name} has non-finite values`;
    return undefined;
  } finally {
    net.dispose();
  }
}

const decode = (bytes: Uint8Array) =>
  fuzz.run(SOURCE, () => decodeHypernet(bytes, SOURCE), { check: wellFormed });

/** The checkpoint's header parts, to mutate and put back together. */
function parts(bytes: Uint8Array) {
  const { metadata, tensors } = decodeSafetensors(bytes);
  return { metadata, tensors: [...tensors] as [string, SafetensorsTensor][] };
}

const byteOps = byteMutations(3);
const hostile = fc.oneof(
  fc.constantFrom(...HOSTILE_VALUES),
  fc.constantFrom(1e6, 1e8, 2 ** 30, 3, 0, 7, 16, 'fuzz-encoder', 'a.layers.99999999'),
  fc.jsonValue({ maxDepth: 2 }),
);
const jsonOps = jsonMutations({
  replacement: hostile,
  factors: [-1, 0, 2, 0.5, 1e6, 1e9, Number.NaN],
  maxDepth: 50,
  maxLength: 3,
});

describe('hypernet checkpoints under fuzzing', () => {
  it(
    'decode bit-flipped and truncated checkpoints (F32 and F16) or reject them naming the file',
    () => {
      fc.assert(
        fc.property(fc.boolean(), byteOps, (half, ops) => decode(mutateBytes(half ? VALID_F16 : VALID, ops))),
        fuzz.property('mutated bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decode checkpoints whose config or scorer config was mutated (huge sizes, wrong types, missing fields)',
    () => {
      fc.assert(
        fc.property(fc.constantFrom('config', 'scorer_config'), jsonOps, fc.boolean(), (key, ops, asText) => {
          const { metadata, tensors } = parts(VALID);
          const mutated = mutateJson(JSON.parse(metadata[key]), ops);
          const text = asText ? JSON.stringify(mutated) : String(JSON.stringify(mutated)).slice(0, 40);
          return decode(encodeSafetensors(tensors, { ...metadata, [key]: text ?? '' }));
        }),
        fuzz.property('mutated configs'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decode checkpoints with other metadata, tensor shapes, dtypes and NaN weights',
    () => {
      const change = fc.oneof(
        fc.record({
          metadata: fc.constantFrom('format', 'version', 'config', 'scorer_config'),
          value: fc.string(),
        }),
        fc.record({
          tensor: fc.nat(),
          shape: fc.option(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }), { nil: undefined }),
          dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I32'),
          fill: fc.option(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1e30, 0), { nil: undefined }),
          drop: fc.boolean(),
        }),
      );
      fc.assert(
        fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
          const { metadata, tensors } = parts(VALID);
          for (const c of changes) {
            if ('metadata' in c) {
              metadata[c.metadata] = c.value;
              continue;
            }
            const i = c.tensor % tensors.length;
            if (c.drop) {
              tensors.splice(i, 1);
              continue;
            }
            const [name, old] = tensors[i];
            const shape = c.shape ?? old.shape;
            const n = shape.reduce((p, d) => p * d, 1);
            const size = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4 }[c.dtype] as number;
            const data = new Uint8Array(n * size);
            if (c.dtype === 'F32') new Float32Array(data.buffer).fill(c.fill ?? 0.5);
            tensors[i] = [name, { dtype: c.dtype, shape, data }];
          }
          return decode(encodeSafetensors(tensors, metadata));
        }),
        fuzz.property('mutated tensors'),
      );
    },
    fuzzTimeout(),
  );

  it('rejects a config claiming 10^8 layers without building their tensor list (regression)', () => {
    const { metadata, tensors } = parts(VALID);
    const config = JSON.stringify({ ...CONFIG, layers: 1e8 });
    expect(() => decodeHypernet(encodeSafetensors(tensors, { ...metadata, config }), SOURCE)).toThrow(
      CheckpointFormatError,
    );
    expect(() =>
      decodeHypernet(encodeSafetensors(tensors, { ...metadata, scorer_config: 'null' }), SOURCE),
    ).toThrow(/fuzz\/hypernet\.safetensors: metadata\.scorer_config/);
  });
});
