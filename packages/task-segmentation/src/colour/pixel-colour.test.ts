import { basicColour } from './colour-names';
import { pixelColour, srgbToLab } from './pixel-colour';

describe('pixelColour', () => {
  it.each([
    [[220, 30, 30], 'red'],
    [[150, 10, 20], 'red'],
    [[255, 140, 0], 'orange'],
    [[250, 220, 40], 'yellow'],
    [[120, 200, 60], 'green'],
    [[30, 110, 40], 'green'],
    [[40, 80, 220], 'blue'],
    [[0, 180, 200], 'blue'],
    [[120, 40, 140], 'purple'],
    [[255, 170, 200], 'pink'],
    [[120, 70, 30], 'brown'],
    [[10, 10, 10], 'black'],
    [[245, 245, 245], 'white'],
    [[128, 128, 128], 'grey'],
  ] as const)('names %j %s', ([r, g, b], name) => {
    expect(pixelColour(r, g, b)).toBe(name);
  });

  it('computes CIELAB as the standard defines it (white 100,0,0; sRGB red 53.2,80.1,67.2)', () => {
    const [L, a, b] = srgbToLab(255, 255, 255);
    expect(L).toBeCloseTo(100, 2);
    expect(Math.abs(a)).toBeLessThan(0.01);
    expect(Math.abs(b)).toBeLessThan(0.01);
    const red = srgbToLab(255, 0, 0);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });
});

describe('basicColour', () => {
  it('maps colour words and aliases to the eleven basic names, anything else to null', () => {
    expect(basicColour('Red')).toBe('red');
    expect(basicColour('gray')).toBe('grey');
    expect(basicColour('golden')).toBe('yellow');
    expect(basicColour('apple')).toBeNull();
  });
});
