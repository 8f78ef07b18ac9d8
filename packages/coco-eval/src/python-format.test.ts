import { pythonFixed } from './python-format';

describe("pythonFixed (Python's '{:.Nf}')", () => {
  it('rounds exact binary ties to even, unlike toFixed', () => {
    expect(pythonFixed(0.0625, 3)).toBe('0.062');
    expect((0.0625).toFixed(3)).toBe('0.063');
    expect(pythonFixed(0.1875, 3)).toBe('0.188');
    expect(pythonFixed(0.125, 2)).toBe('0.12');
    expect(pythonFixed(0.375, 2)).toBe('0.38');
  });

  it('rounds non-ties by their exact binary value', () => {
    expect(pythonFixed(0.0005, 3)).toBe('0.001'); // stored slightly above 0.0005
    expect(pythonFixed(2.675, 2)).toBe('2.67'); // stored slightly below
    expect(pythonFixed(0.47967463245187847, 3)).toBe('0.480');
    expect(pythonFixed(0.9999, 3)).toBe('1.000');
  });

  it('prints COCOeval values as pycocotools does', () => {
    expect(pythonFixed(-1, 3)).toBe('-1.000');
    expect(pythonFixed(0, 3)).toBe('0.000');
    expect(pythonFixed(1e-20, 3)).toBe('0.000');
    expect(pythonFixed(0.8999999999999999, 2)).toBe('0.90');
    expect(pythonFixed(0.95, 2)).toBe('0.95');
  });
});
