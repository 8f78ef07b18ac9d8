import { buildTokenBatch } from './token-batch';

describe('buildTokenBatch', () => {
  it('pads to the longest row with the pad id and a zero mask', () => {
    const batch = buildTokenBatch(
      [{ inputIds: [2, 5, 3] }, { inputIds: [2, 5, 6, 7, 3], tokenTypeIds: [0, 0, 0, 1, 1] }],
      8,
      0,
    );
    expect(batch.dims).toEqual([2, 5]);
    expect(Array.from(batch.inputIds, Number)).toEqual([2, 5, 3, 0, 0, 2, 5, 6, 7, 3]);
    expect(Array.from(batch.attentionMask, Number)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(batch.tokenTypeIds, Number)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('cuts long rows to maxTokens and keeps the closing [SEP], as sentence-transformers does', () => {
    const batch = buildTokenBatch([{ inputIds: [2, 10, 11, 12, 13, 14, 3] }], 4);
    expect(Array.from(batch.inputIds, Number)).toEqual([2, 10, 11, 3]);
    expect(batch.dims).toEqual([1, 4]);
  });

  it('rejects a limit that leaves no room for [CLS] and [SEP]', () => {
    expect(() => buildTokenBatch([{ inputIds: [2, 3] }], 1)).toThrow(RangeError);
  });
});
