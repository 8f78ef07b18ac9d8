/** One tokenised sentence as the tokenizer returns it: special tokens included, no padding. */
export interface TokenRow {
  inputIds: number[];
  tokenTypeIds?: number[];
}

/** A padded batch for a BertModel graph: int64 [batch, length] each, row-major. */
export interface TokenBatch {
  dims: [number, number];
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
}

/**
 * Pads a batch to its longest row (pad id, mask 0) after cutting rows longer than `maxTokens` the way
 * sentence-transformers does for `[CLS] text [SEP]`: the text is cut, the closing `[SEP]` is kept.
 * (transformers.js would cut the `[SEP]` itself.)
 */
export function buildTokenBatch(rows: readonly TokenRow[], maxTokens: number, padId = 0): TokenBatch {
  if (!Number.isInteger(maxTokens) || maxTokens < 2)
    throw new RangeError(`maxTokens must be an integer >= 2, got ${maxTokens}`);
  const cut = (ids: number[]) =>
    ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]];
  const kept = rows.map((row) => ({
    inputIds: cut(row.inputIds),
    tokenTypeIds: cut(row.tokenTypeIds ?? row.inputIds.map(() => 0)),
  }));
  const length = Math.max(1, ...kept.map((row) => row.inputIds.length));
  const size = rows.length * length;
  const batch: TokenBatch = {
    dims: [rows.length, length],
    inputIds: new BigInt64Array(size).fill(BigInt(padId)),
    attentionMask: new BigInt64Array(size),
    tokenTypeIds: new BigInt64Array(size),
  };
  kept.forEach((row, b) => {
    row.inputIds.forEach((id, t) => {
      batch.inputIds[b * length + t] = BigInt(id);
      batch.attentionMask[b * length + t] = 1n;
      batch.tokenTypeIds[b * length + t] = BigInt(row.tokenTypeIds[t]);
    });
  });
  return batch;
}
