import { accessSync, constants, existsSync, lstatSync, readdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type CacheKind, cacheDir, cacheRoot } from './cache-dir';
import { CacheClearError } from './errors/cache-clear-error';

export const cacheKinds: readonly CacheKind[] = ['embeddings', 'detections', 'models', 'loras', 'text'];

export interface CacheUsage {
  kind: CacheKind;
  path: string;
  files: number;
  bytes: number;
}

export interface CacheReport {
  root: string;
  /** Whether tasam can create or write the root (the nearest existing ancestor is writable). */
  writable: boolean;
  kinds: CacheUsage[];
  files: number;
  bytes: number;
}

/** Files and bytes under `dir`, not following symbolic links; 0 when it does not exist. */
function usageOf(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue; // missing, or removed while we walk: count nothing
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        try {
          bytes += lstatSync(path).size;
          files += 1;
        } catch {
          // removed while we walk
        }
      }
    }
  }
  return { files, bytes };
}

function isWritable(path: string): boolean {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** What the cache holds, by kind. */
export function measureCache(env: NodeJS.ProcessEnv = process.env): CacheReport {
  const kinds = cacheKinds.map((kind) => ({
    kind,
    path: cacheDir(kind, env),
    ...usageOf(cacheDir(kind, env)),
  }));
  const root = cacheRoot(env);
  return {
    root,
    writable: isWritable(root),
    kinds,
    files: kinds.reduce((sum, usage) => sum + usage.files, 0),
    bytes: kinds.reduce((sum, usage) => sum + usage.bytes, 0),
  };
}

/**
 * Removes the given kinds of cache (all by default) and returns what they held. Each directory is first
 * renamed aside, so a concurrent tasam process sees either the whole cache or none of it, never half.
 * Only the known subdirectories are touched, never the root itself (TASAM_CACHE may point anywhere).
 */
export async function clearCache(
  kinds: readonly CacheKind[] = cacheKinds,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CacheUsage[]> {
  const cleared: CacheUsage[] = [];
  for (const kind of kinds) {
    const path = cacheDir(kind, env);
    const usage = { kind, path, ...usageOf(path) };
    const aside = `${path}.clearing-${process.pid}-${Date.now()}`;
    try {
      await rename(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        cleared.push(usage);
        continue;
      }
      throw new CacheClearError(path, error);
    }
    try {
      await rm(aside, { recursive: true, force: true });
    } catch (error) {
      throw new CacheClearError(aside, error);
    }
    cleared.push(usage);
  }
  await removeLeftovers(kinds, env);
  return cleared;
}

/** Directories an earlier, killed `cache clear` renamed aside but did not finish removing. */
async function removeLeftovers(kinds: readonly CacheKind[], env: NodeJS.ProcessEnv): Promise<void> {
  const root = cacheRoot(env);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    if (kinds.some((kind) => name.startsWith(`${kind}.clearing-`))) {
      await rm(join(root, name), { recursive: true, force: true }).catch(() => {});
    }
  }
}

/** `0 B`, `980 B`, `12.3 kB`, `45.6 MB`, `1.2 GB` (decimal units, as disk tools report). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
