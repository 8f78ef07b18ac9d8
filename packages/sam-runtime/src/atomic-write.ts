import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutputWriteError } from './errors';

/** Writes a file atomically (temporary file in the same directory, then rename): readers never see half a file. */
export function writeFileAtomic(path: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
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
