// Fuzzed safetensors bytes: random bytes, bit-flipped and truncated files, mutated headers (shapes, dtypes,
// offsets, metadata), and length prefixes claiming huge headers. Every input gives tensors that exactly tile
// the data or a SafetensorsFormatError naming the file; nothing is allocated beyond the input (tensors are
// views).
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
import { SafetensorsFormatError } from './errors';
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContents,
  tensorAsFloat32,
} from './safetensors';

const SOURCE = 'fuzz/model.safetensors';
const fuzz = new ParserFuzz({
  package: '@tasam/lora',
  parser: 'safetensors',
  isTyped: (error) => error instanceof SafetensorsFormatError,
});
afterAll(() => fuzz.report());

const BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
};
for (const d of ['BF16']) BYTES[d] = 2;
for (const d of ['I32', 'U32', 'F32']) BYTES[d] = 4;
for (const d of ['I64', 'U64', 'F64']) BYTES[d] = 8;

/** Every tensor's bytes match its dtype and shape, lie inside the file, and float tensors convert. */
function wellFormed({ tensors, metadata }: SafetensorsContents): string | undefined {
  for (const [key, value] of Object.entries(metadata))
    if (typeof value !== 'string') return `metadata ${key} is ${typeof value}`;
  for (const [name, { dtype, shape, data }] of tensors) {
    const expected = shape.reduce((p, d) => p * d, 1) * BYTES[dtype];
    if (data.length !== expected) return `${name}: ${data.length} bytes for ${dtype} [${shape}]`;
    const floats = tensorAsFloat32({ dtype, shape, data });
    if (floats && floats.length !== data.length / BYTES[dtype]) return `${name}: ${floats.length} floats`;
  }
  return undefined;
}

const decode = (bytes: Uint8Array) =>
  fuzz.run(SOURCE, () => decodeSafetensors(bytes, SOURCE), { check: wellFormed });

const VALID = encodeSafetensors(
  [
    ['a.weight', { dtype: 'F32', shape: [2, 3], data: new Uint8Array(24).fill(7) }],
    ['a.bias', { dtype: 'F16', shape: [3], data: new Uint8Array(6).fill(0x3c) }],
    ['b', { dtype: 'BF16', shape: [2, 2], data: new Uint8Array(8).fill(0x40) }],
    ['c', { dtype: 'I64', shape: [1], data: new Uint8Array(8) }],
    ['empty', { dtype: 'U8', shape: [0, 4], data: new Uint8Array(0) }],
  ],
  { format: 'pt', note: 'fuzz' },
);
const headerLength = Number(new DataView(VALID.buffer).getBigUint64(0, true));
const VALID_HEADER = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + headerLength)));
const VALID_DATA = VALID.subarray(8 + headerLength);

/** A file from a header object and data bytes, with an honest length prefix. */
function file(header: unknown, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header) ?? 'undefined');
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const byteOps = byteMutations(3);
const hostile = fc.oneof(
  fc.constantFrom(...HOSTILE_VALUES),
  fc.constantFrom('F32', 'F16', 'BF16', 'U8', 'I64', 'F64', 'Q4', 'f32'),
  fc.constantFrom([2 ** 31, 2 ** 31], [2 ** 20, 2 ** 20, 2 ** 20], [1e9], [-1, 3], [0]),
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -10, max: 60 }),
);
const jsonOps = jsonMutations({
  replacement: hostile,
  factors: [-1, 0, 2, 1e9, 2 ** 32, 2 ** 53],
  maxDepth: 200,
  maxLength: 3,
});

describe('safetensors under fuzzing', () => {
  it(
    'rejects random bytes with a typed error',
    () => {
      const prefix = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 300n }));
      fc.assert(
        fc.property(prefix, fc.uint8Array({ maxLength: 300 }), fc.boolean(), (length, body, withPrefix) => {
          if (!withPrefix) return decode(body);
          const bytes = new Uint8Array(8 + body.length);
          new DataView(bytes.buffer).setBigUint64(0, length, true);
          bytes.set(body, 8);
          return decode(bytes);
        }),
        fuzz.property('random bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decodes bit-flipped, truncated and spliced files or rejects them with a typed error',
    () => {
      fc.assert(
        fc.property(byteOps, (ops) => decode(mutateBytes(VALID, ops))),
        fuzz.property('mutated bytes'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'validates mutated headers: huge or negative shapes and offsets, unknown dtypes, bad metadata',
    () => {
      fc.assert(
        fc.property(jsonOps, fc.integer({ min: -8, max: 8 }), (ops, grow) => {
          const data =
            grow >= 0
              ? Uint8Array.from([...VALID_DATA, ...new Uint8Array(grow * 4)])
              : VALID_DATA.subarray(0, VALID_DATA.length + grow);
          return decode(file(mutateJson(VALID_HEADER, ops), data));
        }),
        fuzz.property('mutated headers'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'round-trips random valid files: any names (prototype keys included), dtypes, empty tensors, metadata',
    () => {
      const name = fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('__proto__', 'constructor', 'toString', ''),
      );
      const tensor = fc
        .tuple(
          fc.constantFrom(...Object.keys(BYTES)),
          fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
        )
        .map(([dtype, shape]) => ({
          dtype,
          shape,
          data: Uint8Array.from(
            { length: shape.reduce((p, d) => p * d, 1) * BYTES[dtype] },
            (_, i) => i * 37,
          ),
        }));
      const tensors = fc.uniqueArray(fc.tuple(name, tensor), { selector: ([n]) => n, maxLength: 5 });
      const metadata = fc.dictionary(name, fc.string({ maxLength: 12 }), { maxKeys: 4 });
      fc.assert(
        fc.property(tensors, metadata, (entries, meta) => {
          const usable = entries.filter(([n]) => n !== '__metadata__');
          const bytes = encodeSafetensors(usable, meta);
          return fuzz.run(SOURCE, () => decodeSafetensors(bytes, SOURCE), {
            check: (contents) => {
              const problem = wellFormed(contents);
              if (problem) return problem;
              if (JSON.stringify(Object.entries(contents.metadata)) !== JSON.stringify(Object.entries(meta)))
                return `metadata ${JSON.stringify(contents.metadata)} differs from ${JSON.stringify(meta)}`;
              if (contents.tensors.size !== usable.length)
                return `${contents.tensors.size} of ${usable.length} tensors`;
              for (const [n, t] of usable) {
                const back = contents.tensors.get(n);
                if (!back || back.dtype !== t.dtype || back.shape.join() !== t.shape.join())
                  return `tensor ${n} differs`;
                if (!back.data.every((b, i) => b === t.data[i])) return `tensor ${n} data differs`;
              }
              return undefined;
            },
          });
        }),
        fuzz.property('random valid files'),
      );
    },
    fuzzTimeout(),
  );

  it('rejects headers claiming terabytes before allocating anything (regression guard)', () => {
    const claim = file(
      { t: { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [0, 2 ** 42] } },
      new Uint8Array(8),
    );
    expect(() => decodeSafetensors(claim, SOURCE)).toThrow(
      /tensor t ends at byte 4398046511104 of the data but the data has 8 bytes/,
    );
    const length = new Uint8Array(16);
    new DataView(length.buffer).setBigUint64(0, 2n ** 62n, true);
    expect(() => decodeSafetensors(length, SOURCE)).toThrow(
      /header length 4611686018427387904 is implausibly large/,
    );
  });
});
