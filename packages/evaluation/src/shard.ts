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
