import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RgbImage, rgbImageDigest } from '@tasam/coco-data';
import { writeFileAtomic } from './atomic-write';
import type { Tensor32 } from './tensor';

/**
 * On-disk format of one cached embedding (little-endian):
 *   0  magic "TASAMEMB"         8  u32 format version      12 u32 dtype (1 = float32)
 *   16 u32 rank (4)             20 u32 dims[4]
 *   36 image sha256 (32 bytes)  68 model sha256 (32 bytes)
 *   100 u32 payload bytes       104 payload sha256 (32 bytes)  136 payload
 * Anything that does not match exactly (other magic, key, size or checksum) is reported and never trusted.
 */
const MAGIC = Buffer.from('TASAMEMB', 'ascii');
const FORMAT_VERSION = 1;
const DTYPE_FLOAT32 = 1;
const HEADER_BYTES = 136;

export type EmbeddingCacheRead =
  | { status: 'hit'; embedding: Tensor32 }
  | { status: 'miss' }
  | { status: 'invalid'; reason: string };

/** Image encoder outputs cached by image content hash and encoder model hash. */
export class EmbeddingCache {
  constructor(
    readonly dir: string,
    /** SHA-256 (hex) of the encoder model that produced the embeddings. */
    readonly modelDigest: string,
  ) {}

  /** SHA-256 (hex) of the decoded pixels and their size (coco-data `rgbImageDigest`): another file format hits too. */
  static imageDigest(image: RgbImage): string {
    return rgbImageDigest(image);
  }

  pathFor(imageDigest: string): string {
    return join(this.dir, `${imageDigest.slice(0, 32)}-${this.modelDigest.slice(0, 16)}.emb`);
  }

  read(imageDigest: string): EmbeddingCacheRead {
    let file: Buffer;
    try {
      file = readFileSync(this.pathFor(imageDigest));
    } catch {
      return { status: 'miss' };
    }
    const invalid = (reason: string): EmbeddingCacheRead => ({ status: 'invalid', reason });
    if (file.length < HEADER_BYTES) return invalid(`truncated header (${file.length} bytes)`);
    if (!file.subarray(0, 8).equals(MAGIC)) return invalid('not a tasam embedding file');
    if (file.readUInt32LE(8) !== FORMAT_VERSION) return invalid(`format version ${file.readUInt32LE(8)}`);
    if (file.readUInt32LE(12) !== DTYPE_FLOAT32) return invalid(`dtype ${file.readUInt32LE(12)}`);
    const rank = file.readUInt32LE(16);
    if (rank !== 4) return invalid(`rank ${rank}`);
    const dims = [0, 1, 2, 3].map((i) => file.readUInt32LE(20 + 4 * i));
    if (file.subarray(36, 68).toString('hex') !== imageDigest) return invalid('written for another image');
    if (file.subarray(68, 100).toString('hex') !== this.modelDigest)
      return invalid('written by another model');
    const payloadBytes = file.readUInt32LE(100);
    if (payloadBytes !== dims.reduce((a, b) => a * b, 1) * 4)
      return invalid('payload size does not match dims');
    if (file.length !== HEADER_BYTES + payloadBytes) {
      return invalid(`truncated payload (${file.length - HEADER_BYTES} of ${payloadBytes} bytes)`);
    }
    const payload = file.subarray(HEADER_BYTES);
    if (!createHash('sha256').update(payload).digest().equals(file.subarray(104, 136))) {
      return invalid('payload checksum mismatch');
    }
    // Copy into a fresh, aligned buffer: the file buffer may come from Node's shared pool.
    const data = new Float32Array(payloadBytes / 4);
    new Uint8Array(data.buffer).set(payload);
    return { status: 'hit', embedding: { data, dims } };
  }

  write(imageDigest: string, embedding: Tensor32): void {
    const payload = Buffer.from(embedding.data.buffer, embedding.data.byteOffset, embedding.data.byteLength);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(FORMAT_VERSION, 8);
    header.writeUInt32LE(DTYPE_FLOAT32, 12);
    header.writeUInt32LE(embedding.dims.length, 16);
    embedding.dims.forEach((d, i) => {
      header.writeUInt32LE(d, 20 + 4 * i);
    });
    Buffer.from(imageDigest, 'hex').copy(header, 36);
    Buffer.from(this.modelDigest, 'hex').copy(header, 68);
    header.writeUInt32LE(payload.length, 100);
    createHash('sha256').update(payload).digest().copy(header, 104);
    writeFileAtomic(this.pathFor(imageDigest), [header, payload]);
  }
}
