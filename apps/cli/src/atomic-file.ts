import { writeFileAtomic as writeAtomically } from '@tasam/atomic-file';
import { OutputWriteError } from './errors/output-write-error';

/**
 * Writes `path` through a temporary file and a rename (@tasam/atomic-file), so readers and interrupted runs
 * never see half a file; failures become OutputWriteError naming the path.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeAtomically(path, data);
  } catch (cause) {
    throw new OutputWriteError(path, cause);
  }
}
