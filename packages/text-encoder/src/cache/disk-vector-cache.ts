import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sweepStaleTempFilesOnce, tempPathFor } from '@tasam/atomic-file';
import { TextCacheError } from '../errors';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Text vectors on disk, one little-endian float32 file per (encoder id, text):
 * `<root>/<readable id>-<id hash>/<sha256(text)>.f32`. Files are written to a temporary name and renamed, so
 * a reader never sees half a vector; a file of the wrong size is treated as absent and rewritten. The first
 * write of a process removes the temporary files of killed writers (writer pid gone, unmodified for 10 min).
 */
export class DiskVectorCache {
  readonly dir: string;

  constructor(
    root: string,
    readonly encoderId: string,
    readonly dim: number,
  ) {
    const readable = encoderId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
    this.dir = join(root, `${readable}-${sha256(encoderId).slice(0, 8)}`);
  }

  pathFor(text: string): string {
    return join(this.dir, `${sha256(text)}.f32`);
  }

  async get(text: string): Promise<Float32Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathFor(text));
    } catch {
      return undefined;
    }
    if (bytes.byteLength !== this.dim * 4) return undefined;
    const vector = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) vector[i] = bytes.readFloatLE(i * 4);
    return vector;
  }

  async set(text: string, vector: Float32Array): Promise<void> {
    const path = this.pathFor(text);
    const temporary = tempPathFor(path);
    const bytes = Buffer.alloc(vector.length * 4);
    for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
    try {
      await mkdir(this.dir, { recursive: true });
      sweepStaleTempFilesOnce(this.dir);
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new TextCacheError(path, { cause: error });
    }
  }
}
