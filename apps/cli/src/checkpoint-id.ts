import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '@tasam/atomic-file';

/** Files remembered at most: enough for every checkpoint a user switches between. */
const MEMO_ENTRIES = 32;

interface MemoEntry {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  id: string;
}

/**
 * A checkpoint's content id: the first 16 hex digits of its SHA-256, as TaskLoraGenerator computes it. With
 * `memoFile` the id is remembered by the file's identity (device, inode, size, modification and change times),
 * so a warm run looks it up instead of reading and hashing 15 MB. Any write to the file or its replacement
 * changes its change time or inode, neither of which a user command can set back, so a changed file is hashed
 * again. An unreadable memo is ignored and rewritten; failing to write it only costs the next run a hash.
 */
export async function checkpointContentId(path: string, memoFile?: string): Promise<string> {
  const key = resolve(path);
  const info = await stat(key);
  const identity = {
    dev: info.dev,
    ino: info.ino,
    size: info.size,
    mtimeMs: info.mtimeMs,
    ctimeMs: info.ctimeMs,
  };
  const memo = memoFile ? await readMemo(memoFile) : {};
  const known = memo[key];
  if (known && (Object.keys(identity) as (keyof typeof identity)[]).every((k) => known[k] === identity[k]))
    return known.id;
  const id = createHash('sha256')
    .update(await readFile(key))
    .digest('hex')
    .slice(0, 16);
  if (memoFile) {
    const others = Object.entries(memo)
      .filter(([file]) => file !== key)
      .slice(-(MEMO_ENTRIES - 1));
    const next = Object.fromEntries([...others, [key, { ...identity, id }]]);
    await writeFileAtomic(memoFile, `${JSON.stringify({ version: 1, files: next })}\n`).catch(
      () => undefined,
    );
  }
  return id;
}

async function readMemo(memoFile: string): Promise<Record<string, MemoEntry>> {
  try {
    const parsed = JSON.parse(await readFile(memoFile, 'utf8')) as { version?: unknown; files?: unknown };
    if (parsed.version !== 1 || typeof parsed.files !== 'object' || parsed.files === null) return {};
    const files: Record<string, MemoEntry> = {};
    for (const [file, entry] of Object.entries(parsed.files as Record<string, Partial<MemoEntry>>)) {
      if (typeof entry?.id === 'string' && /^[0-9a-f]{16}$/.test(entry.id)) files[file] = entry as MemoEntry;
    }
    return files;
  } catch {
    return {};
  }
}
