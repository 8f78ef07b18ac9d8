// numpy 1.24 (the reference outputs were made with it) sums float64 arrays pairwise inside np.mean
// (numpy/core/src/umath/loops_utils.h.src: PW_BLOCKSIZE 128, unrolled by 8), one iterator buffer of 8192
// elements at a time, adding each block's pairwise sum to the running total. COCOeval's stats are np.mean
// over up to ~10^6 values; summing the same way reproduces them bit for bit (one pairwise pass over the
// 50,500 values of AP@[.5:.95] already differs in the last bit; numpy 2 does exactly that, so its stats can
// differ from 1.24's by an ulp).

const BUFFER_SIZE = 8192;

function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[start];
    let r1 = a[start + 1];
    let r2 = a[start + 2];
    let r3 = a[start + 3];
    let r4 = a[start + 4];
    let r5 = a[start + 5];
    let r6 = a[start + 6];
    let r7 = a[start + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i;
      r0 += a[p];
      r1 += a[p + 1];
      r2 += a[p + 2];
      r3 += a[p + 3];
      r4 += a[p + 4];
      r5 += a[p + 5];
      r6 += a[p + 6];
      r7 += a[p + 7];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** np.sum of a contiguous float64 vector. */
export function numpySum(values: ArrayLike<number>): number {
  let total = 0;
  for (let start = 0; start < values.length; start += BUFFER_SIZE)
    total += pairwiseSum(values, start, Math.min(BUFFER_SIZE, values.length - start));
  return total;
}

/** np.mean of a contiguous float64 vector (NaN when empty, as numpy). */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}
