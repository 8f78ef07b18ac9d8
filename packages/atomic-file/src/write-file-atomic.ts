import {
  closeSync,
  promises as fs,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { sweepStaleTempFilesOnce, tempPathFor } from './temp-files';

/** What `writeFileAtomic` writes: text, bytes, or byte chunks written one after another. */
export type AtomicData = string | Uint8Array | readonly Uint8Array[];

export interface AtomicWriteOptions {
  /** Name the temporary file with a leading dot (`.<name>.<pid>.<hex>.tmp`). Default false. */
  hidden?: boolean;
  /** fsync the file before the rename, so a power loss leaves the old file or the new one. Default false. */
  fsync?: boolean;
  /** Create the target's directory first. Default true. */
  mkdir?: boolean;
}

const chunks = (data: AtomicData): string | Uint8Array =>
  typeof data === 'string' || data instanceof Uint8Array ? data : Buffer.concat(data as Uint8Array[]);

/**
 * Writes `path` through a temporary file in the same directory and a rename, so readers and later runs see the
 * old file or the complete new one, never part of one. The first write into a directory removes the temporary
 * files killed writers left there (`removeStaleTempFiles`). A failure removes the temporary file and rethrows
 * the file system's error: callers wrap it in their own typed error naming the path.
 */
export async function writeFileAtomic(
  path: string,
  data: AtomicData,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temporary = tempPathFor(path, options.hidden);
  try {
    if (options.mkdir !== false) await fs.mkdir(dirname(path), { recursive: true });
    sweepStaleTempFilesOnce(dirname(path));
    const handle = await fs.open(temporary, 'wx');
    try {
      await handle.writeFile(chunks(data));
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** `writeFileAtomic` for synchronous callers (same temporary names, same clean-up). */
export function writeFileAtomicSync(path: string, data: AtomicData, options: AtomicWriteOptions = {}): void {
  const temporary = tempPathFor(path, options.hidden);
  try {
    if (options.mkdir !== false) mkdirSync(dirname(path), { recursive: true });
    sweepStaleTempFilesOnce(dirname(path));
    const fd = openSync(temporary, 'wx');
    try {
      writeFileSync(fd, chunks(data));
      if (options.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing to clean up, or the directory itself is unusable: report the original failure
    }
    throw error;
  }
}
