import { type Shard, shardRange, shardSlice, wholeShard } from '@tasam/evaluation';
import { InvalidArgumentError } from 'commander';

/** Shards are the evaluation's: `tasam eval` records them in its part files and checks them when merging. */
export { type Shard, shardRange, shardSlice, wholeShard };

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
