import { linearToSrgb8, SRGB_TO_LINEAR } from './srgb';

describe('sRGB transfer', () => {
  it('round-trips every 8-bit value through linear light exactly', () => {
    for (let v = 0; v < 256; v++) expect(linearToSrgb8(SRGB_TO_LINEAR[v])).toBe(v);
  });

  it('clips linear values outside 0-1', () => {
    expect(linearToSrgb8(1.7)).toBe(255);
    expect(linearToSrgb8(-0.2)).toBe(0);
  });
});
