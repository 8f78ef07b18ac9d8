import { InvalidArgumentError } from 'commander';

/**
 * One of `count` deterministic slices of a sorted work list (0-based `index`, like Kubernetes'
 * JOB_COMPLETION_INDEX). Slices are contiguous, so concatenating shard outputs in index order gives the
 * output of one unsharded run.
 */
export interface Shard {
  index: number;
  count: number;
}

export const wholeShard: Shard = { index: 0, count: 1 };

/** Parses `--shard i/n` (0 <= i < n). Throws commander's InvalidArgumentError, which exits 2. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`expected i/n with 0 <= i < n, e.g. 0/4; got "${text}".`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  // Past 2^53 digits no longer name one number ("9007199254740993" reads as ...992).
  if (!Number.isSafeInteger(count)) {
    throw new InvalidArgumentError(`shard count must be at most ${Number.MAX_SAFE_INTEGER}; got "${text}".`);
  }
  if (count < 1 || index >= count) {
    throw new InvalidArgumentError(`shard index must be in 0..n-1 and n >= 1; got ${index}/${count}.`);
  }
  return { index, count };
}

/** Parses a whole number >= 1 (`--workers`), at most 2^53 - 1 so that it is the number typed. */
export function parsePositiveInt(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(
      `expected a whole number from 1 to ${Number.MAX_SAFE_INTEGER}; got "${text}".`,
    );
  }
  return value;
}

/** The [start, end) range of `total` items that `shard` owns. */
export function shardRange(total: number, shard: Shard): [number, number] {
  return [
    Math.floor((shard.index * total) / shard.count),
    Math.floor(((shard.index + 1) * total) / shard.count),
  ];
}

/** The items of `shard`; `items` must already be in a deterministic order (sorted). */
export function shardSlice<T>(items: readonly T[], shard: Shard): T[] {
  const [start, end] = shardRange(items.length, shard);
  return items.slice(start, end);
}

/**
 * Worker `k` of `workers` inside `shard`: shard i/n split w ways is shards i*w+k of n*w, whose union is
 * exactly shard i/n (the floor boundaries line up), so local workers compose with a batch scheduler's shards.
 */
export function subShard(shard: Shard, k: number, workers: number): Shard {
  return { index: shard.index * workers + k, count: shard.count * workers };
}

/** `shard-003-of-008`: zero-padded so file names sort in shard order. */
export function shardName(shard: Shard): string {
  const width = String(shard.count).length;
  const pad = (n: number) => String(n).padStart(Math.max(3, width), '0');
  return `shard-${pad(shard.index)}-of-${pad(shard.count)}`;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
