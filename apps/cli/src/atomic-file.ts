import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sweepStaleTempFilesOnce, tempPathFor } from '@tasam/lora';
import { OutputWriteError } from './errors/output-write-error';

/**
 * Writes `path` through a temporary file (`<name>.<pid>.<hex>.tmp`) and a rename, so readers and interrupted
 * runs never see half a file. The first write into a directory removes the temporary files killed writers
 * left there (writer pid not alive, unmodified for 10 minutes: @tasam/lora's removeStaleTempFiles).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    sweepStaleTempFilesOnce(dirname(path));
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw new OutputWriteError(path, cause);
  }
}
