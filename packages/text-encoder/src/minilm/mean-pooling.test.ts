import { meanPool } from './mean-pooling';

describe('meanPool', () => {
  it('averages only the tokens the attention mask keeps, per sentence', () => {
    // batch 2, 3 tokens, width 2; sentence 0 keeps tokens 0,1; sentence 1 keeps all three
    const hidden = Float32Array.from([1, 2, 3, 4, 100, 100, 1, 1, 2, 2, 6, 9]);
    const mask = BigInt64Array.from([1n, 1n, 0n, 1n, 1n, 1n]);
    const [a, b] = meanPool(hidden, [2, 3, 2], mask);
    expect(Array.from(a)).toEqual([2, 3]);
    expect(Array.from(b)).toEqual([3, 4]);
  });

  it('leaves an all-padding row at zero instead of NaN', () => {
    const [row] = meanPool(Float32Array.from([5, 5]), [1, 1, 2], [0]);
    expect(Array.from(row)).toEqual([0, 0]);
  });

  it('rejects shapes that disagree with the data', () => {
    expect(() => meanPool(new Float32Array(5), [1, 2, 2], [1, 1])).toThrow(/disagree/);
    expect(() => meanPool(new Float32Array(4), [1, 2, 2], [1])).toThrow(/disagree/);
  });
});
