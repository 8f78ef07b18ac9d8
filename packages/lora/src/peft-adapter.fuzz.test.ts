// Fuzzed LoRA adapter files (PEFT-named safetensors) and their adapter config (the `__metadata__` block with
// r, lora_alpha, use_rslora, target_modules, ...). Every input gives LoraWeights that hold together (shapes,
// one rank, finite values and scaling) or a typed error naming the file.
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
import { LoraAdapterError, LoraShapeError, LoraValueError, SafetensorsFormatError } from './errors';
import { summarizeLora } from './lora-summary';
import type { LoraTarget } from './lora-target';
import { LoraWeights } from './lora-weights';
import { adapterMetadata, decodeLora, encodeLora, peftTensorName } from './peft-adapter';
import { encodeSafetensors, float32Bytes, type SafetensorsTensor } from './safetensors';

const SOURCE = 'fuzz/adapter.safetensors';
const isTyped = (error: unknown) =>
  error instanceof SafetensorsFormatError ||
  error instanceof LoraAdapterError ||
  error instanceof LoraShapeError ||
  error instanceof LoraValueError;
const files = new ParserFuzz({ package: '@tasam/lora', parser: 'LoRA files', isTyped });
const configs = new ParserFuzz({ package: '@tasam/lora', parser: 'LoRA adapter config (metadata)', isTyped });
afterAll(() => {
  files.report();
  configs.report();
});

/** LoraWeights' invariants, and what `tasam lora inspect` computes from them. */
function wellFormed(weights: LoraWeights): string | undefined {
  if (!(Number.isInteger(weights.rank) && weights.rank >= 1)) return `rank ${weights.rank}`;
  if (!Number.isFinite(weights.alpha) || !Number.isFinite(weights.scaling))
    return `alpha ${weights.alpha}, scaling ${weights.scaling}`;
  for (const [path, layer] of weights.layers) {
    if (layer.a.length !== weights.rank * layer.inFeatures) return `${path}: A of ${layer.a.length}`;
    if (layer.b.length !== layer.outFeatures * weights.rank) return `${path}: B of ${layer.b.length}`;
    if (!layer.a.every(Number.isFinite) || !layer.b.every(Number.isFinite))
      return `${path}: non-finite values`;
  }
  const summary = summarizeLora(weights);
  if (summary.layers.length !== weights.layers.size) return 'summary lost layers';
  return undefined;
}

const TARGETS: LoraTarget[] = [
  { path: 'iou_prediction_head.layers.0', inFeatures: 4, outFeatures: 3 } as LoraTarget,
  { path: 'output_hypernetworks_mlps.0.layers.2', inFeatures: 2, outFeatures: 5 } as LoraTarget,
];
const VALID_WEIGHTS = LoraWeights.random(TARGETS, { rank: 2, seed: 3 });
const VALID_WEIGHTS_WITH_META = new LoraWeights({
  rank: 2,
  alpha: 4,
  layers: VALID_WEIGHTS.layers,
  metadata: { textEncoder: 'use-lite', task: 'segment all cats', extra: { steps: '10' } },
});
const VALID = encodeLora(VALID_WEIGHTS_WITH_META);
const VALID_METADATA = adapterMetadata(VALID_WEIGHTS_WITH_META);

const decode = (fuzz: ParserFuzz, bytes: Uint8Array, alpha?: number) =>
  fuzz.run(SOURCE, () => decodeLora(bytes, { source: SOURCE, alpha }), { check: wellFormed });

const byteOps = byteMutations(3);
const hostileNumberText = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '2',
    '2.5',
    '1e999',
    '-1e999',
    'NaN',
    'Infinity',
    '',
    ' ',
    ' 4 ',
    '0x10',
    '1e-320',
  ),
  fc.constantFrom('true', 'false', 'TRUE', 'yes', '[]', '{}', 'null', '__proto__'),
  fc.integer({ min: -3, max: 1000 }).map(String),
  fc.double().map(String),
  fc.string({ maxLength: 8 }),
);

describe('LoRA files under fuzzing', () => {
  it(
    'decode bit-flipped and truncated adapters or reject them with a typed error naming the file',
    () => {
      fc.assert(
        fc.property(byteOps, (ops) => decode(files, mutateBytes(VALID, ops))),
        files.property('mutated bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decode random tensor sets: PEFT and other names, any dtype and shape, NaN and infinite values',
    () => {
      const module = fc.oneof(
        fc.constantFrom('m', 'a.layers.0', '__proto__', 'x.lora_A'),
        fc.string({ maxLength: 6 }),
      );
      const name = fc.oneof(
        {
          arbitrary: fc
            .tuple(module, fc.constantFrom<'A' | 'B'>('A', 'B'))
            .map(([m, ab]) => peftTensorName(m, ab)),
          weight: 8,
        },
        fc.string({ maxLength: 20 }),
      );
      const value = fc.oneof(
        { arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }), weight: 10 },
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
      );
      const tensor = fc
        .tuple(
          fc.oneof(
            { arbitrary: fc.constant('F32'), weight: 6 },
            fc.constantFrom('F16', 'BF16', 'F64', 'I32', 'U8', 'BOOL'),
          ),
          fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 }),
          value,
        )
        .map(([dtype, shape, fill]): SafetensorsTensor => {
          const n = shape.reduce((p, d) => p * d, 1);
          if (dtype === 'F32') return { dtype, shape, data: float32Bytes(new Float32Array(n).fill(fill)) };
          const size = { F16: 2, BF16: 2, F64: 8, I32: 4, U8: 1, BOOL: 1 }[dtype] as number;
          return { dtype, shape, data: Uint8Array.from({ length: n * size }, (_, i) => (i * 59) & 0xff) };
        });
      const tensors = fc.uniqueArray(fc.tuple(name, tensor), { selector: ([n]) => n, maxLength: 5 });
      fc.assert(
        fc.property(tensors, fc.option(fc.double(), { nil: undefined }), (entries, alpha) =>
          decode(
            files,
            encodeSafetensors(
              entries.filter(([n]) => n !== '__metadata__'),
              { lora_alpha: '4' },
            ),
            alpha,
          ),
        ),
        files.property('random tensors'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decode adapters whose header was mutated (shapes, dtypes, offsets)',
    () => {
      const length = Number(new DataView(VALID.buffer).getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + length)));
      const data = VALID.subarray(8 + length);
      const ops = jsonMutations({
        replacement: fc.oneof(
          fc.constantFrom(...HOSTILE_VALUES),
          fc.constantFrom('F16', 'BF16', 'F64', 'I8', [3, 2], [2, 4], [4, 2], [0, 2], [2], [1, 1, 8]),
        ),
        factors: [-1, 0, 2, 0.5, 1e9],
        maxDepth: 50,
        maxLength: 3,
      });
      fc.assert(
        fc.property(ops, (list) => {
          const text = new TextEncoder().encode(JSON.stringify(mutateJson(header, list)) ?? '');
          const bytes = new Uint8Array(8 + text.length + data.length);
          new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
          bytes.set(text, 8);
          bytes.set(data, 8 + text.length);
          return decode(files, bytes);
        }),
        files.property('mutated headers'),
      );
    },
    fuzzTimeout(),
  );
});

describe('LoRA file regressions found by fuzzing', () => {
  const pair = (a: SafetensorsTensor, b: SafetensorsTensor): [string, SafetensorsTensor][] => [
    [peftTensorName('m', 'A'), a],
    [peftTensorName('m', 'B'), b],
  ];
  const f32 = (shape: number[], fill = 0.5) => ({
    dtype: 'F32',
    shape,
    data: float32Bytes(new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(fill)),
  });

  it('names the file in shape and value errors', () => {
    expect(() =>
      decodeLora(encodeSafetensors(pair(f32([]), f32([])), { lora_alpha: '4' }), { source: SOURCE }),
    ).toThrow(`${SOURCE}: m: lora_A has shape [], expected [rank, in]`);
    expect(() =>
      decodeLora(encodeSafetensors(pair(f32([1, 2], Number.NaN), f32([2, 1])), { lora_alpha: '4' }), {
        source: SOURCE,
      }),
    ).toThrow(`${SOURCE}: m: lora_A[0] is NaN`);
    expect(() =>
      decodeLora(encodeSafetensors(pair(f32([1, 2]), f32([2, 1])), {}), {
        source: SOURCE,
        alpha: Number.NEGATIVE_INFINITY,
      }),
    ).toThrow(`${SOURCE}: alpha: must be finite, got -Infinity`);
  });

  it('keeps a metadata key named __proto__', () => {
    const metadata = JSON.parse('{"lora_alpha": "4", "__proto__": "kept"}') as Record<string, string>;
    const weights = decodeLora(encodeSafetensors(pair(f32([1, 2]), f32([2, 1])), metadata), {
      source: SOURCE,
    });
    expect(Object.entries(weights.metadata.extra ?? {})).toEqual([['__proto__', 'kept']]);
  });
});

describe('LoRA adapter config (metadata) under fuzzing', () => {
  it(
    'reads r, lora_alpha, use_rslora and the rest from any string values, or rejects them naming the file',
    () => {
      const key = fc.oneof(
        fc.constantFrom('r', 'lora_alpha', 'use_rslora', 'target_modules', 'text_encoder', 'task', 'format'),
        fc.constantFrom('peft_type', 'bias', '__proto__', 'constructor', 'extra'),
        fc.string({ maxLength: 8 }),
      );
      fc.assert(
        fc.property(
          fc.array(fc.tuple(key, fc.oneof(hostileNumberText, fc.string({ maxLength: 20 }))), {
            maxLength: 6,
          }),
          fc.boolean(),
          fc.option(fc.oneof(fc.double(), fc.constantFrom(0, 1, 4, -4)), { nil: undefined }),
          (changes, fromScratch, alpha) => {
            const metadata: Record<string, string> = {};
            const set = (k: string, v: string) =>
              Object.defineProperty(metadata, k, {
                value: v,
                enumerable: true,
                writable: true,
                configurable: true,
              });
            if (!fromScratch) for (const [k, v] of Object.entries(VALID_METADATA)) set(k, v);
            for (const [k, v] of changes) set(k, v);
            const tensors: [string, SafetensorsTensor][] = [];
            for (const [path, layer] of VALID_WEIGHTS.layers) {
              tensors.push([
                peftTensorName(path, 'A'),
                { dtype: 'F32', shape: [2, layer.inFeatures], data: float32Bytes(layer.a) },
              ]);
              tensors.push([
                peftTensorName(path, 'B'),
                { dtype: 'F32', shape: [layer.outFeatures, 2], data: float32Bytes(layer.b) },
              ]);
            }
            return decode(configs, encodeSafetensors(tensors, metadata), alpha);
          },
        ),
        configs.property('random metadata'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'reads mutated metadata of a real adapter, or rejects it naming the file',
    () => {
      fc.assert(
        fc.property(
          jsonMutations({
            replacement: fc.oneof(hostileNumberText, fc.constantFrom(...HOSTILE_VALUES)),
            factors: [-1],
            maxDepth: 3,
            maxLength: 3,
          }),
          (ops) => {
            const length = Number(new DataView(VALID.buffer).getBigUint64(0, true));
            const header = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + length)));
            const mutated = mutateJson(header.__metadata__, ops);
            const text = new TextEncoder().encode(JSON.stringify({ ...header, __metadata__: mutated }));
            const data = VALID.subarray(8 + length);
            const bytes = new Uint8Array(8 + text.length + data.length);
            new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
            bytes.set(text, 8);
            bytes.set(data, 8 + text.length);
            return decode(configs, bytes);
          },
        ),
        configs.property('mutated metadata'),
      );
    },
    fuzzTimeout(),
  );
});
