import { promises as fs } from 'node:fs';
import { writeFileAtomic as writeAtomically } from '@tasam/atomic-file';
import { LoraFileError } from './errors/lora-file-error';

/**
 * Writes `bytes` to `path` atomically and durably (@tasam/atomic-file: a hidden temporary file, fsync, rename),
 * so readers see the old file or the complete new one; failures become LoraFileError naming the path.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeAtomically(path, bytes, { hidden: true, fsync: true, mkdir: false });
  } catch (cause) {
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
