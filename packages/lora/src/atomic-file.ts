import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { LoraFileError } from './errors/lora-file-error';
import { sweepStaleTempFilesOnce, tempPathFor } from './stale-temp-files';

/**
 * Writes `bytes` to `path` atomically: a temp file in the same directory (`.<name>.<pid>.<hex>.tmp`), fsync,
 * then rename over the target, so readers see the old file or the complete new one, never a partial write.
 * The first write into a directory removes the temp files that killed writers left there (see
 * removeStaleTempFiles).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  sweepStaleTempFilesOnce(dirname(path));
  const temp = tempPathFor(path, true);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (cause) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new LoraFileError(path, 'write', { cause });
  }
}

/** Reads a whole file, turning file-system failures into LoraFileError naming the path. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(path);
  } catch (cause) {
    throw new LoraFileError(path, 'read', { cause });
  }
}
