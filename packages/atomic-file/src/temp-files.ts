import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * How long a temporary file must have gone unmodified before a run removes it, even when the pid in its name
 * is not alive here: on storage shared between hosts or containers (another pid namespace) that pid may be a
 * live writer elsewhere, and a writer touches its file at least every few seconds.
 */
export const STALE_TEMP_AGE_MS = 10 * 60 * 1000;

/**
 * `<name>.<pid>.<8 hex>.tmp`, and the older `<name>.<pid>.<13-digit ms>.tmp` and `<model>.onnx.<pid>.tmp`: only
 * these exact shapes, so that a sweep of an output directory the user chose leaves other programs' files alone.
 */
const TEMP_NAME = /\.(\d+)\.(?:[0-9a-f]{8}|\d{13})\.tmp$|\.onnx\.(\d+)\.tmp$/;

/**
 * The temporary path an atomic write of `path` goes through: same directory (so the rename is atomic), the
 * writer's pid (so a later run can tell a dead writer's leftover from a live writer's file) and a random part
 * (concurrent writes of one path in one process never share a temporary file). `hidden` adds a leading dot.
 */
export function tempPathFor(path: string, hidden = false): string {
  const name = `${hidden ? '.' : ''}${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  return join(dirname(path), name);
}

/** The pid of the writer a temporary name embeds, or undefined when the name is not a temporary file's. */
export function tempWriterPid(name: string): number | undefined {
  const match = TEMP_NAME.exec(name);
  if (!match) return undefined;
  const pid = Number(match[1] ?? match[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export interface StaleTempOptions {
  /** Only entries unmodified for at least this long (default STALE_TEMP_AGE_MS). */
  minAgeMs?: number;
  /** The clock (tests). */
  now?: number;
  /** Only names that start with this (a shared directory such as the system's temporary directory). */
  prefix?: string;
}

/**
 * Removes the temporary files (and directories) of atomic writers in `dir` whose writer is gone: the pid in the
 * name is not a live process here, it is not this process, and the entry has not been modified for `minAgeMs`.
 * Returns the names removed. Never throws: a directory that cannot be read, or an entry another run removed
 * first, is skipped.
 */
export function removeStaleTempFiles(dir: string, options: StaleTempOptions = {}): string[] {
  const minAgeMs = options.minAgeMs ?? STALE_TEMP_AGE_MS;
  const now = options.now ?? Date.now();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (options.prefix !== undefined && !name.startsWith(options.prefix)) continue;
    const pid = tempWriterPid(name);
    if (pid === undefined || pid === process.pid || isProcessAlive(pid)) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs < minAgeMs) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // removed meanwhile by another run, or not ours to remove: leave it
    }
  }
  return removed;
}

const swept = new Set<string>();

/** removeStaleTempFiles once per directory and process: atomic writers call it before their first write there. */
export function sweepStaleTempFilesOnce(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  removeStaleTempFiles(dir);
}
