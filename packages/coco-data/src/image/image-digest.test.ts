import { rgbImageDigest } from './image-digest';

const image = (width: number, height: number, fill = 0) => ({
  width,
  height,
  data: new Uint8Array(width * height * 3).fill(fill),
});

describe('rgbImageDigest', () => {
  it('is a sha256 in hex that depends on the pixels', () => {
    const digest = rgbImageDigest(image(4, 2));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(rgbImageDigest(image(4, 2))).toBe(digest);
    expect(rgbImageDigest(image(4, 2, 1))).not.toBe(digest);
  });

  it('depends on the size, not only on the bytes', () => {
    // 4x2 and 2x4 hold the same 24 bytes.
    expect(rgbImageDigest(image(4, 2))).not.toBe(rgbImageDigest(image(2, 4)));
  });
});
