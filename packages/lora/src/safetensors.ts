import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SafetensorsFormatError } from './errors/safetensors-format-error';

/**
 * The safetensors format (https://huggingface.co/docs/safetensors), implemented from its documentation:
 * 8 bytes little-endian u64 N, N bytes of UTF-8 JSON header, then the byte buffer. The header maps tensor
 * names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the buffer) and may hold a
 * `__metadata__` object of string → string. Tensors are little-endian, row-major, and must cover the buffer
 * without holes or overlaps.
 */

/** Element sizes of the dtypes the format defines. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Same limit as the reference implementation: a larger header is a corrupt or hostile file. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensor {
  dtype: string;
  shape: number[];
  /** Raw little-endian bytes of the tensor (a view into the decoded file when read). */
  data: Uint8Array;
}

export interface SafetensorsContents {
  metadata: Record<string, string>;
  /** In header order. */
  tensors: Map<string, SafetensorsTensor>;
}

/** One tensor's entry in a safetensors header: where its bytes lie in the data after the header. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range in the data buffer (after the 8-byte length and the header). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** In header order. */
  entries: SafetensorsEntry[];
  /** Bytes before the data: 8 + the header's length. */
  dataOffset: number;
}

/** Parses and fully validates a safetensors file. Tensor data are views into `bytes` (no copy). */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors bytes'): SafetensorsContents {
  const n = headerLength(bytes, bytes.length, source);
  const { metadata, entries } = decodeSafetensorsHeader(
    bytes.subarray(8, 8 + n),
    bytes.length - 8 - n,
    source,
  );
  const buffer = bytes.subarray(8 + n);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const { name, dtype, shape, begin, end } of entries)
    tensors.set(name, { dtype, shape, data: buffer.subarray(begin, end) });
  return { metadata, tensors };
}

/**
 * A safetensors file's header, read and fully validated (tensor extents against the file's size) without
 * reading its tensors: the metadata of a large checkpoint in a few kilobytes of reading.
 */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const lengthBytes = Buffer.alloc(Math.min(size, 8));
    readSync(fd, lengthBytes, 0, lengthBytes.length, 0);
    const n = headerLength(lengthBytes, size, path);
    const header = Buffer.alloc(n);
    if (readSync(fd, header, 0, n, 8) !== n)
      throw new SafetensorsFormatError(path, 'truncated while the header was read');
    return { ...decodeSafetensorsHeader(header, size - 8 - n, path), dataOffset: 8 + n };
  } finally {
    closeSync(fd);
  }
}

/**
 * The header's byte length from the file's first 8 bytes (little-endian u64), checked against a file of
 * `fileSize` bytes: at least the 8 length bytes, a plausible length, and room for the header.
 */
function headerLength(first: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8)
    throw new SafetensorsFormatError(
      source,
      `truncated: ${fileSize} bytes, shorter than the 8-byte header length`,
    );
  const length = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsFormatError(source, `header length ${length} is implausibly large`);
  const n = Number(length);
  if (8 + n > fileSize)
    throw new SafetensorsFormatError(
      source,
      `truncated: header needs ${n} bytes after the length but only ${fileSize - 8} remain`,
    );
  return n;
}

/** The header's JSON, validated: dtypes, shapes, extents, and tensors tiling `dataLength` bytes exactly. */
function decodeSafetensorsHeader(
  headerBytes: Uint8Array,
  dataLength: number,
  source: string,
): Omit<SafetensorsHeader, 'dataOffset'> {
  const fail = (problem: string, cause?: unknown): never => {
    throw new SafetensorsFormatError(source, problem, { cause });
  };
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (cause) {
    return fail('header is not valid UTF-8', cause);
  }
  if (!headerText.startsWith('{')) fail('header does not start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (cause) {
    return fail(`header is not valid JSON (${(cause as Error).message})`, cause);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('header is not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        fail('__metadata__ is not an object');
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof value !== 'string') fail(`__metadata__.${key} is not a string`);
        setOwn(metadata, key, value as string);
      }
      continue;
    }
    const info = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) fail(`tensor ${name}: entry is not an object`);
    const dtype = info.dtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES))
      fail(`tensor ${name}: unknown dtype ${JSON.stringify(dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    const offsets = info.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      fail(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = (shape as number[]).reduce((p, d) => p * d, 1) * DTYPE_BYTES[dtype as string];
    if (end - begin !== expected) {
      fail(
        `tensor ${name}: ${end - begin} bytes for ${dtype} ${JSON.stringify(shape)}, expected ${expected}`,
      );
    }
    if (end > dataLength) {
      fail(`truncated: tensor ${name} ends at byte ${end} of the data but the data has ${dataLength} bytes`);
    }
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin, end });
  }
  // The format requires the tensors to tile the buffer exactly: no holes, no overlaps, no trailing bytes.
  const spans = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let position = 0;
  for (const span of spans) {
    if (span.begin !== position) {
      fail(
        span.begin < position
          ? `tensor ${span.name} overlaps the previous tensor at byte ${span.begin}`
          : `hole in the data before tensor ${span.name} (bytes ${position}..${span.begin})`,
      );
    }
    position = span.end;
  }
  if (position !== dataLength) fail(`${dataLength - position} trailing bytes after the last tensor`);
  return { metadata, entries };
}

/**
 * Serialises tensors (in the given order) and string metadata. The header is padded with spaces to a
 * multiple of 8 bytes so every tensor starts aligned, as the reference writer does.
 */
export function encodeSafetensors(
  tensors: Iterable<[string, SafetensorsTensor]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  // Names are any strings: `__proto__` too, which a plain assignment would turn into the header's prototype.
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === '__metadata__') throw new SafetensorsFormatError(name, 'reserved tensor name');
    const size = DTYPE_BYTES[tensor.dtype];
    if (size === undefined) throw new SafetensorsFormatError(name, `unknown dtype ${tensor.dtype}`);
    const expected = tensor.shape.reduce((p, d) => p * d, 1) * size;
    if (tensor.data.length !== expected) {
      throw new SafetensorsFormatError(
        name,
        `${tensor.data.length} bytes for ${tensor.dtype} [${tensor.shape}], expected ${expected}`,
      );
    }
    setOwn(header, name, {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + expected],
    });
    parts.push(tensor.data);
    offset += expected;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const withPad = new Uint8Array(padded).fill(0x20);
    withPad.set(headerBytes);
    headerBytes = withPad;
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}

/** object[key] = value as an own property, as JSON.parse makes them (even for the key `__proto__`). */
function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Little-endian F32 bytes of a Float32Array. */
export function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < values.length; k++) view.setFloat32(k * 4, values[k], true);
  return bytes;
}

/** Reads a floating-point tensor (F32, F16, BF16 or F64) as float32; undefined for other dtypes. */
export function tensorAsFloat32(tensor: SafetensorsTensor): Float32Array | undefined {
  const { data, dtype } = tensor;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(data.length / (DTYPE_BYTES[dtype] ?? 1));
  switch (dtype) {
    case 'F32':
      for (let k = 0; k < out.length; k++) out[k] = view.getFloat32(k * 4, true);
      return out;
    case 'F64':
      for (let k = 0; k < out.length; k++) out[k] = view.getFloat64(k * 8, true);
      return out;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new DataView(new ArrayBuffer(4));
      for (let k = 0; k < out.length; k++) {
        bits.setUint32(0, view.getUint16(k * 2, true) << 16);
        out[k] = bits.getFloat32(0);
      }
      return out;
    }
    case 'F16':
      for (let k = 0; k < out.length; k++) out[k] = halfToFloat(view.getUint16(k * 2, true));
      return out;
    default:
      return undefined;
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
