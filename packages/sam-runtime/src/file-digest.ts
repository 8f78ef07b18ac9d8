import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';

interface DigestEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * SHA-256 of a file's content. With `memoDir`, digests are remembered per path and invalidated when size,
 * mtime or inode change (as make does), so large model files are not re-read by every process start.
 */
export function fileDigest(path: string, memoDir?: string): string {
  const stat = statSync(path);
  const memoFile = memoDir ? join(memoDir, 'file-digests.json') : undefined;
  let memo: Record<string, DigestEntry> = {};
  if (memoFile) {
    try {
      memo = JSON.parse(readFileSync(memoFile, 'utf8')) as Record<string, DigestEntry>;
    } catch {
      memo = {}; // missing or unreadable memo: recompute
    }
    const entry = memo[path];
    if (entry && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs && entry.ino === stat.ino) {
      if (/^[0-9a-f]{64}$/.test(entry.sha256)) return entry.sha256;
    }
  }
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (memoFile) {
    memo[path] = { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, sha256 };
    try {
      writeFileAtomic(memoFile, JSON.stringify(memo));
    } catch {
      // The memo only saves time; failing to write it must not fail the run.
    }
  }
  return sha256;
}
