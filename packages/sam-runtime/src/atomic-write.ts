import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutputWriteError } from './errors';
import { sweepStaleTempFilesOnce, tempPathFor } from './stale-temp-files';

/**
 * Writes a file atomically (temporary file `<name>.<pid>.<hex>.tmp` in the same directory, then rename):
 * readers never see half a file. The first write into a directory removes the temporary files killed
 * writers left there (removeStaleTempFiles: writer pid not alive, unmodified for 10 minutes).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  const temporary = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    sweepStaleTempFilesOnce(dirname(path));
    if (typeof data === 'string' || data instanceof Uint8Array) writeFileSync(temporary, data);
    else writeFileSync(temporary, Buffer.concat(data as Uint8Array[]));
    renameSync(temporary, path);
  } catch (cause) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing to clean up, or the path itself is unusable: report the original failure
    }
    throw new OutputWriteError(path, `cannot write (${(cause as Error).message})`, { cause });
  }
}
