import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CocoFormatError, CocoReadError } from '../errors';

export interface ReadJsonProgress {
  bytesRead: number;
  totalBytes: number;
}

export interface ReadJsonOptions {
  /** Called after each chunk read, for progress bars on big files. */
  onProgress?: (progress: ReadJsonProgress) => void;
}

/**
 * Reads a JSON file whose top level is an object, without ever holding the whole text: the file is streamed,
 * split at the elements of top-level arrays (COCO's `images`, `annotations`, ...), and parsed in batches of a
 * 64 KB with JSON.parse. Peak memory is the parsed result plus a batch, instead of file bytes + string +
 * result, and files past V8's ~512 MB string limit still load. Truncated or malformed text gives
 * CocoFormatError naming the file, the key and the byte offset.
 */
export async function readJsonFile(
  path: string,
  options: ReadJsonOptions = {},
): Promise<Record<string, unknown>> {
  let totalBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    totalBytes = info.size;
  } catch (cause) {
    throw new CocoReadError(path, 'cannot read the file', { cause });
  }
  const splitter = new TopLevelSplitter(path);
  let bytesRead = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      splitter.push(chunk as Buffer);
      bytesRead += (chunk as Buffer).length;
      options.onProgress?.({ bytesRead, totalBytes });
    }
  } catch (cause) {
    if (cause instanceof CocoFormatError) throw cause;
    throw new CocoReadError(path, 'reading failed', { cause });
  }
  return splitter.end();
}

/**
 * Parses JSON text already in memory the same way. `chunkBytes` and `batchBytes` (defaults: all at once,
 * 64 KB) exist to exercise the chunk and batch boundaries.
 */
export function parseJsonObject(
  text: Buffer | string,
  source: string,
  options: { chunkBytes?: number; batchBytes?: number } = {},
): Record<string, unknown> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const splitter = new TopLevelSplitter(source, options.batchBytes);
  const step = options.chunkBytes ?? Math.max(bytes.length, 1);
  for (let i = 0; i < bytes.length; i += step) splitter.push(bytes.subarray(i, i + step));
  return splitter.end();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
// Batches stay well below V8's large-object threshold so their text dies young in the nursery instead of
// piling up in old space until a full collection (that pile-up was most of the peak RSS).
const DEFAULT_BATCH_BYTES = 64 << 10;
const BOM = [0xef, 0xbb, 0xbf];
const STRUCTURAL = new Uint8Array(256);
for (const b of [QUOTE, BACKSLASH, COMMA, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY])
  STRUCTURAL[b] = 1;

type Phase =
  | 'start'
  | 'key-or-end'
  | 'key'
  | 'key-text'
  | 'colon'
  | 'value-start'
  | 'value'
  | 'array'
  | 'after-value'
  | 'end';

/**
 * A byte-level scanner over a JSON object: it tracks only strings and nesting depth, which is enough to find
 * where each top-level value and each element of a top-level array begins and ends; JSON.parse does the rest
 * (and the validation of everything inside).
 */
class TopLevelSplitter {
  private phase: Phase = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private offset = 0; // absolute offset of the current chunk
  private parts: Buffer[] = []; // captured bytes from earlier chunks
  private captureStart = -1; // start of the capture in the current chunk, -1 when not capturing
  private capturedBytes = 0;
  private key = '';
  private bomBytes = 0; // bytes of a leading byte order mark seen
  private array: unknown[] = [];
  private readonly result: Record<string, unknown> = {};

  constructor(
    private readonly source: string,
    private readonly batchBytes = DEFAULT_BATCH_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    if (this.captureStart === -1 && this.capturing()) this.captureStart = 0;
    while (i < n) {
      // Fast paths: skip the bytes that cannot change the state (digits, dots, letters, text of strings).
      if (this.inString) {
        if (!this.escaped) while (i < n && chunk[i] !== QUOTE && chunk[i] !== BACKSLASH) i++;
      } else if (this.phase === 'array') {
        while (i < n && STRUCTURAL[chunk[i]] === 0) i++;
      }
      if (i === n) break;
      const b = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.phase === 'key-text') this.finishKey(chunk, i + 1);
        }
        i++;
        continue;
      }
      switch (this.phase) {
        case 'array':
          if (b === QUOTE) this.inString = true;
          else if (b === OPEN_OBJECT || b === OPEN_ARRAY) this.depth++;
          else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
            if (this.depth === 2) {
              if (b !== CLOSE_ARRAY) this.fail(i, `unexpected '}' in "${this.key}"`);
              this.flushBatch(chunk, i);
              this.set(this.array);
              this.array = [];
              this.depth = 1;
              this.phase = 'after-value';
            } else this.depth--;
          } else if (
            b === COMMA &&
            this.depth === 2 &&
            this.capturedBytes + (i - this.captureStart) >= this.batchBytes
          ) {
            this.flushBatch(chunk, i);
            this.captureStart = i + 1;
          }
          break;
        case 'value':
          if (b === QUOTE) this.inString = true;
          else if (b === OPEN_OBJECT || b === OPEN_ARRAY) this.depth++;
          else if ((b === COMMA || b === CLOSE_OBJECT) && this.depth === 1) {
            this.set(this.parse(this.take(chunk, i), this.key, i));
            this.phase = b === COMMA ? 'key' : 'end';
            if (b === CLOSE_OBJECT) this.depth = 0;
          } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) this.depth--;
          break;
        default:
          this.structural(i, b);
      }
      i++;
    }
    if (this.captureStart !== -1) {
      this.parts.push(chunk.subarray(this.captureStart));
      this.capturedBytes += n - this.captureStart;
      this.captureStart = -1;
    }
    this.offset += n;
  }

  end(): Record<string, unknown> {
    if (this.phase !== 'end') {
      const where = this.phase === 'array' || this.phase === 'value' ? ` inside "${this.key}"` : '';
      throw new CocoFormatError(
        this.source,
        `truncated JSON: the text ends${where} after ${this.offset} bytes, before the closing '}'`,
      );
    }
    return this.result;
  }

  private capturing(): boolean {
    return this.phase === 'array' || this.phase === 'value' || this.phase === 'key-text';
  }

  private structural(i: number, b: number): void {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) return;
    switch (this.phase) {
      case 'start':
        // A UTF-8 byte order mark before the object: its three bytes, first in the file.
        if (this.offset + i === this.bomBytes && b === BOM[this.bomBytes]) {
          this.bomBytes++;
          return;
        }
        if (this.bomBytes % BOM.length !== 0) this.fail(i, 'incomplete UTF-8 byte order mark');
        if (b !== OPEN_OBJECT) this.fail(i, 'expected a JSON object at the top level');
        this.depth = 1;
        this.phase = 'key-or-end';
        return;
      case 'key-or-end':
      case 'key':
        if (b === CLOSE_OBJECT && this.phase === 'key-or-end') {
          this.depth = 0;
          this.phase = 'end';
          return;
        }
        if (b !== QUOTE) this.fail(i, 'expected a key string');
        this.phase = 'key-text';
        this.inString = true;
        this.captureStart = i;
        return;
      case 'colon':
        if (b !== COLON) this.fail(i, `expected ':' after key "${this.key}"`);
        this.phase = 'value-start';
        return;
      case 'value-start':
        if (b === OPEN_ARRAY) {
          this.phase = 'array';
          this.depth = 2;
          this.captureStart = i + 1;
          return;
        }
        this.phase = 'value';
        this.captureStart = i;
        if (b === QUOTE) this.inString = true;
        else if (b === OPEN_OBJECT) this.depth++;
        return;
      case 'after-value':
        if (b === COMMA) this.phase = 'key';
        else if (b === CLOSE_OBJECT) {
          this.depth = 0;
          this.phase = 'end';
        } else this.fail(i, `expected ',' or '}' after "${this.key}"`);
        return;
      case 'end':
        this.fail(i, 'unexpected text after the closing }');
    }
  }

  /**
   * Stores the value of the current key as an own property, as JSON.parse does: a plain assignment to a key
   * named "__proto__" would replace the result's prototype instead.
   */
  private set(value: unknown): void {
    Object.defineProperty(this.result, this.key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }

  private finishKey(chunk: Buffer, end: number): void {
    this.key = this.parse(this.take(chunk, end), 'a key', end) as string;
    this.phase = 'colon';
  }

  /** The captured bytes up to (not including) chunk[end], as text; ends the capture. */
  private take(chunk: Buffer, end: number): string {
    const tail = chunk.subarray(Math.max(this.captureStart, 0), end);
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.capturedBytes = 0;
    this.captureStart = -1;
    return bytes.toString('utf8');
  }

  private flushBatch(chunk: Buffer, end: number): void {
    const text = this.take(chunk, end);
    if (text.trim() === '') {
      if (this.array.length > 0) this.fail(end, `empty element in "${this.key}"`);
      return;
    }
    const elements = this.parse(`[${text}]`, this.key, end) as unknown[];
    for (const element of elements) this.array.push(element);
  }

  private parse(text: string, what: string, at: number): unknown {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new CocoFormatError(
        this.source,
        `invalid JSON in ${what === 'a key' ? what : `"${what}"`} before byte ${this.offset + at}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  private fail(i: number, problem: string): never {
    throw new CocoFormatError(this.source, `invalid JSON at byte ${this.offset + i}: ${problem}`);
  }
}
