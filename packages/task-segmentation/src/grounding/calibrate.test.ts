import { calibrateMargin } from './calibrate';

describe('calibrateMargin', () => {
  it('puts the threshold in the middle of the gap between separable classes', () => {
    const result = calibrateMargin([
      { margin: -0.3, grounded: false },
      { margin: 0.05, grounded: false },
      { margin: 0.25, grounded: true },
      { margin: 0.4, grounded: true },
    ]);
    expect(result.threshold).toBeCloseTo(0.15, 10);
    expect(result.low).toBe(0.05);
    expect(result.high).toBe(0.25);
    expect(result.accuracy).toBe(1);
    expect(result.errors).toBe(0);
  });

  it('minimises errors when the classes overlap, preferring the widest interval', () => {
    const result = calibrateMargin([
      { margin: -0.2, grounded: false },
      { margin: 0.1, grounded: true },
      { margin: 0.12, grounded: false },
      { margin: 0.5, grounded: true },
      { margin: 0.6, grounded: true },
    ]);
    expect(result.errors).toBe(1);
    expect(result.accuracy).toBeCloseTo(0.8, 10);
    // (-0.2, 0.1] and (0.12, 0.5] both err once; the second is wider.
    expect(result.low).toBe(0.12);
    expect(result.high).toBe(0.5);
  });

  it('ignores non-finite margins and rejects having none', () => {
    expect(
      calibrateMargin([
        { margin: Number.NEGATIVE_INFINITY, grounded: false },
        { margin: 1, grounded: true },
      ]).errors,
    ).toBe(0);
    expect(() => calibrateMargin([])).toThrow(RangeError);
  });
});
