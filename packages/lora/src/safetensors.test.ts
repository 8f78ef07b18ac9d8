import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsFormatError } from './errors/safetensors-format-error';
import {
  decodeSafetensors,
  encodeSafetensors,
  float32Bytes,
  readSafetensorsHeader,
  tensorAsFloat32,
} from './safetensors';

/** A file laid out by hand from the format's documentation, independent of encodeSafetensors. */
function handMadeFile(): Uint8Array {
  const header = '{"__metadata__":{"foo":"bar"},"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
  const headerBytes = Buffer.from(header, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + 16);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  for (const [k, v] of [1, -2, 3, 70000].entries()) out.writeInt32LE(v, 8 + headerBytes.length + 4 * k);
  return new Uint8Array(out);
}

function fileWith(header: object, data = new Uint8Array(0)): Uint8Array {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + data.length);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  out.set(data, 8 + headerBytes.length);
  return new Uint8Array(out);
}

const expectFormatError = (bytes: Uint8Array, message: string | RegExp) => {
  let caught: unknown;
  try {
    decodeSafetensors(bytes, 'x.safetensors');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SafetensorsFormatError);
  expect((caught as Error).message).toMatch(message);
};

describe('decodeSafetensors', () => {
  it('reads a hand-made file: metadata, dtype, shape and little-endian data', () => {
    const { metadata, tensors } = decodeSafetensors(handMadeFile());
    expect(metadata).toEqual({ foo: 'bar' });
    const t = tensors.get('test')!;
    expect(t.dtype).toBe('I32');
    expect(t.shape).toEqual([2, 2]);
    const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    expect([0, 1, 2, 3].map((k) => view.getInt32(4 * k, true))).toEqual([1, -2, 3, 70000]);
  });

  it('fails with a typed error at every truncation point', () => {
    const bytes = encodeSafetensors([
      ['w', { dtype: 'F32', shape: [3], data: float32Bytes(Float32Array.of(1, 2, 3)) }],
    ]);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeSafetensors(bytes.subarray(0, cut))).toThrow(SafetensorsFormatError);
    }
    expectFormatError(
      bytes.subarray(0, 5),
      'x.safetensors: not a valid safetensors file: truncated: 5 bytes',
    );
    expectFormatError(
      bytes.subarray(0, bytes.length - 1),
      /truncated: tensor w ends at byte 12 of the data but the data has 11 bytes/,
    );
  });

  it('rejects corrupt headers with the reason', () => {
    const good = handMadeFile();
    const flipped = good.slice();
    flipped[8] = 0x5b; // '[' instead of '{'
    expectFormatError(flipped, 'header does not start with "{"');
    const broken = good.slice();
    broken[8 + Number(new DataView(good.buffer).getBigUint64(0, true)) - 1] = 0x2c; // closing brace → comma
    expectFormatError(broken, /header is not valid JSON/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    expectFormatError(huge, /header length 1099511627776 is implausibly large/);
    expectFormatError(fileWith({ __metadata__: { r: 4 } }), '__metadata__.r is not a string');
    expectFormatError(
      fileWith({ w: { dtype: 'F31', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /unknown dtype "F31"/,
    );
    expectFormatError(
      fileWith({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /shape \[-1\]/,
    );
    expectFormatError(
      fileWith({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /4 bytes for F32 \[2\], expected 8/,
    );
    expectFormatError(
      fileWith({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)),
      /data_offsets/,
    );
  });

  it('requires the tensors to tile the data: no holes, overlaps or trailing bytes', () => {
    const u8 = (begin: number, end: number) => ({
      dtype: 'U8',
      shape: [end - begin],
      data_offsets: [begin, end],
    });
    expectFormatError(
      fileWith({ a: u8(0, 2), b: u8(3, 4) }, new Uint8Array(4)),
      'hole in the data before tensor b (bytes 2..3)',
    );
    expectFormatError(
      fileWith({ a: u8(0, 3), b: u8(2, 4) }, new Uint8Array(4)),
      'tensor b overlaps the previous tensor at byte 2',
    );
    expectFormatError(fileWith({ a: u8(0, 2) }, new Uint8Array(4)), '2 trailing bytes after the last tensor');
    expect(decodeSafetensors(fileWith({ b: u8(2, 4), a: u8(0, 2) }, new Uint8Array(4))).tensors.size).toBe(2);
  });
});

describe('encodeSafetensors', () => {
  it('round-trips tensors and metadata, with an 8-byte aligned header', () => {
    const w = Float32Array.of(0.5, -1.25, 3e-8, Number.MAX_VALUE > 0 ? 65504 : 0);
    const bytes = encodeSafetensors(
      [
        ['w', { dtype: 'F32', shape: [2, 2], data: float32Bytes(w) }],
        ['scalar', { dtype: 'U8', shape: [], data: Uint8Array.of(7) }],
        ['empty', { dtype: 'F32', shape: [0, 3], data: new Uint8Array(0) }],
      ],
      { note: 'é ✓' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ note: 'é ✓' });
    expect([...back.tensors.keys()]).toEqual(['w', 'scalar', 'empty']);
    expect(Array.from(tensorAsFloat32(back.tensors.get('w')!)!)).toEqual(Array.from(w));
    expect(back.tensors.get('scalar')).toMatchObject({ shape: [], data: Uint8Array.of(7) });
    expect(back.tensors.get('empty')!.shape).toEqual([0, 3]);
  });

  it('refuses data that does not match the declared shape', () => {
    expect(() => encodeSafetensors([['w', { dtype: 'F32', shape: [2], data: new Uint8Array(4) }]])).toThrow(
      'w: not a valid safetensors file: 4 bytes for F32 [2], expected 8',
    );
  });
});

describe('tensorAsFloat32', () => {
  it('widens F16, BF16 and F64', () => {
    const f16 = Uint8Array.of(0x00, 0x3c, 0x00, 0xc0, 0x00, 0x35, 0xff, 0x7b, 0x01, 0x00); // 1, -2, 0.3125, 65504, 2^-24
    expect(Array.from(tensorAsFloat32({ dtype: 'F16', shape: [5], data: f16 })!)).toEqual([
      1,
      -2,
      0.3125,
      65504,
      2 ** -24,
    ]);
    const bf16 = Uint8Array.of(0x80, 0x3f, 0x40, 0xc0); // 1, -3
    expect(Array.from(tensorAsFloat32({ dtype: 'BF16', shape: [2], data: bf16 })!)).toEqual([1, -3]);
    const f64 = new Uint8Array(Float64Array.of(0.1).buffer);
    expect(tensorAsFloat32({ dtype: 'F64', shape: [1], data: f64 })![0]).toBe(Math.fround(0.1));
    expect(tensorAsFloat32({ dtype: 'I32', shape: [1], data: new Uint8Array(4) })).toBeUndefined();
  });
});

describe('readSafetensorsHeader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'safetensors-header-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it("reads a hand-made file's metadata and tensor extents without its data", () => {
    const path = write('hand.safetensors', handMadeFile());
    const header = readSafetensorsHeader(path);
    expect(header.metadata).toEqual({ foo: 'bar' });
    expect(header.entries).toEqual([{ name: 'test', dtype: 'I32', shape: [2, 2], begin: 0, end: 16 }]);
    expect(header.dataOffset).toBe(handMadeFile().length - 16);
  });

  it('agrees with decodeSafetensors on an encoded file', () => {
    const bytes = encodeSafetensors(
      [
        ['a', { dtype: 'F32', shape: [3], data: float32Bytes(new Float32Array([1, 2, 3])) }],
        ['b', { dtype: 'U8', shape: [2, 1], data: new Uint8Array([7, 8]) }],
      ],
      { format: 'pt' },
    );
    const header = readSafetensorsHeader(write('encoded.safetensors', bytes));
    const decoded = decodeSafetensors(bytes);
    expect(header.metadata).toEqual(decoded.metadata);
    for (const entry of header.entries) {
      const tensor = decoded.tensors.get(entry.name)!;
      expect([entry.dtype, entry.shape]).toEqual([tensor.dtype, tensor.shape]);
      expect(bytes.subarray(header.dataOffset + entry.begin, header.dataOffset + entry.end)).toEqual(
        tensor.data,
      );
    }
  });

  it('refuses a file whose data is cut short, or that is shorter than its header, naming the file', () => {
    const whole = handMadeFile();
    for (const [name, bytes, message] of [
      ['cut.safetensors', whole.subarray(0, whole.length - 4), /truncated: tensor test ends at byte 16/],
      ['short.safetensors', whole.subarray(0, 20), /truncated: header needs/],
      ['tiny.safetensors', whole.subarray(0, 5), /shorter than the 8-byte header length/],
    ] as const) {
      const path = write(name, bytes);
      expect(() => readSafetensorsHeader(path)).toThrow(SafetensorsFormatError);
      expect(() => readSafetensorsHeader(path)).toThrow(path);
      expect(() => readSafetensorsHeader(path)).toThrow(message);
    }
  });
});
