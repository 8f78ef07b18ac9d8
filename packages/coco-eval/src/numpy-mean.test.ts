import { numpyMean, numpySum } from './numpy-mean';

const series = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) / 10007);

describe('numpySum / numpyMean', () => {
  it('match numpy float64 sums bit for bit (values printed by numpy for this series)', () => {
    expect(numpySum(series(7))).toBe(3.6182672129509337);
    expect(numpyMean(series(100))).toBe(0.5016298590986308);
    expect(numpySum(series(129))).toBe(64.3530528629959);
    expect(numpyMean(series(1000))).toBe(0.500355850904367);
    expect(numpySum(series(8192))).toBe(4096.130108923753);
  });

  it('differ from naive left-to-right summation', () => {
    const values = series(1000);
    const naive = values.reduce((a, b) => a + b, 0) / values.length;
    expect(naive).toBe(0.5003558509043667);
    expect(numpyMean(values)).not.toBe(naive);
  });

  it('sum one 8192-element buffer at a time, as numpy 1.24 inside np.mean', () => {
    const values = series(50500);
    let expected = 0;
    for (let i = 0; i < values.length; i += 8192) expected += numpySum(values.slice(i, i + 8192));
    expect(numpySum(values)).toBe(expected);
    expect(numpySum(values)).toBe(25247.412711102228);
  });

  it('gives NaN for an empty mean, as numpy', () => {
    expect(numpyMean([])).toBeNaN();
  });
});
