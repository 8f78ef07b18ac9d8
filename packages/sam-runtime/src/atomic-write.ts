import { writeFileAtomicSync } from '@tasam/atomic-file';
import { OutputWriteError } from './errors';

/**
 * Writes a file atomically (@tasam/atomic-file: temporary file `<name>.<pid>.<hex>.tmp` in the same directory,
 * then rename): readers never see half a file, and the first write into a directory removes the temporary
 * files killed writers left there. Failures become OutputWriteError naming the path.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  try {
    writeFileAtomicSync(path, data);
  } catch (cause) {
    throw new OutputWriteError(path, `cannot write (${(cause as Error).message})`, { cause });
  }
}
