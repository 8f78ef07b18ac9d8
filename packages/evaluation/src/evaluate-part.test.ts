import { evalPasses } from './evaluate-part';
import { shardSlice, wholeShard } from './shard';

describe('evalPasses', () => {
  it('counts one pass for click/category/box together, one for text, one for grounded', () => {
    expect(evalPasses(['click'])).toBe(1);
    expect(evalPasses(['click', 'category', 'box'])).toBe(1);
    expect(evalPasses(['box', 'text'])).toBe(2);
    expect(evalPasses(['click', 'category', 'box', 'text', 'grounded'])).toBe(3);
    expect(evalPasses(['grounded'])).toBe(1);
  });
});

describe('shardSlice', () => {
  it('cuts contiguous slices whose concatenation is the whole list', () => {
    const items = Array.from({ length: 11 }, (_, i) => i);
    const slices = [0, 1, 2].map((index) => shardSlice(items, { index, count: 3 }));
    expect(slices.flat()).toEqual(items);
    expect(shardSlice(items, wholeShard)).toEqual(items);
  });
});
