/**
 * sentence-transformers' mean pooling: the average of the token states whose attention-mask entry is 1,
 * so padding added to batch sentences of different lengths does not change a sentence's vector.
 * `hidden` is [batch, sequence, width] row-major; `mask` is [batch, sequence].
 */
export function meanPool(
  hidden: Float32Array,
  dims: readonly number[],
  mask: ArrayLike<number | bigint>,
): Float32Array[] {
  const [batch, sequence, width] = dims;
  if (dims.length !== 3 || hidden.length !== batch * sequence * width || mask.length !== batch * sequence)
    throw new RangeError(
      `meanPool: hidden [${dims.join(',')}] (${hidden.length} values) and mask (${mask.length}) disagree`,
    );
  const pooled: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const sum = new Float64Array(width);
    let count = 0;
    for (let s = 0; s < sequence; s++) {
      if (Number(mask[b * sequence + s]) === 0) continue;
      count++;
      const row = (b * sequence + s) * width;
      for (let h = 0; h < width; h++) sum[h] += hidden[row + h];
    }
    // sentence-transformers clamps the count at 1e-9; an all-padding row stays zero instead of NaN.
    const divisor = Math.max(count, 1e-9);
    pooled.push(Float32Array.from(sum, (x) => x / divisor));
  }
  return pooled;
}
