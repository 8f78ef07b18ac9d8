import { InvalidArgumentError } from 'commander';
import { parsePositiveInt } from './number-options';
import { parseShard, shardName, shardRange, shardSlice, subShard } from './shard';

describe('parseShard', () => {
  it('parses i/n with a 0-based index', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3/4 ')).toEqual({ index: 3, count: 4 });
  });

  it.each(['4/4', '1/0', '-1/4', 'a/b', '1', '1/2/3', '', '0/99999999999999999999'])(
    'rejects %p as a usage error',
    (text) => {
      expect(() => parseShard(text)).toThrow(InvalidArgumentError);
    },
  );
});

describe('parsePositiveInt', () => {
  it('accepts whole numbers >= 1 only', () => {
    expect(parsePositiveInt('3')).toBe(3);
    for (const bad of ['0', '-2', '1.5', 'x', '99999999999999999999', '9007199254740993'])
      expect(() => parsePositiveInt(bad)).toThrow(InvalidArgumentError);
  });
});

describe('sharding', () => {
  const items = Array.from({ length: 10 }, (_, i) => `img${i}`);

  it('splits a list into contiguous, disjoint, covering slices of near-equal size', () => {
    const slices = [0, 1, 2].map((index) => shardSlice(items, { index, count: 3 }));
    expect(slices.map((slice) => slice.length)).toEqual([3, 3, 4]);
    expect(slices.flat()).toEqual(items);
  });

  it('gives empty slices when there are more shards than items', () => {
    const slices = [0, 1, 2, 3].map((index) => shardSlice(['a', 'b'], { index, count: 4 }));
    expect(slices).toEqual([[], ['a'], [], ['b']]);
  });

  it('composes: the workers of shard i/n together own exactly shard i/n', () => {
    for (const total of [0, 1, 7, 10, 146, 337]) {
      for (const count of [1, 2, 3, 5]) {
        for (let index = 0; index < count; index++) {
          for (const workers of [1, 2, 3, 4]) {
            const parts = Array.from({ length: workers }, (_, k) =>
              shardRange(total, subShard({ index, count }, k, workers)),
            );
            const [start, end] = shardRange(total, { index, count });
            expect(parts[0][0]).toBe(start);
            expect(parts[workers - 1][1]).toBe(end);
            for (let k = 1; k < workers; k++) expect(parts[k][0]).toBe(parts[k - 1][1]);
          }
        }
      }
    }
  });

  it('names shards so that they sort in order', () => {
    expect(shardName({ index: 2, count: 8 })).toBe('shard-002-of-008');
    expect(shardName({ index: 12, count: 1000 })).toBe('shard-0012-of-1000');
  });
});
