import { ImageDecodeError, ImageReadError } from '@tasam/coco-data';
import { DetectorInputError } from './errors';
import { checkRgbImage, toRgbImage } from './image-input';

describe('checkRgbImage / toRgbImage', () => {
  it('accepts a well-formed RgbImage as is', async () => {
    const rgb = { data: new Uint8Array(2 * 3 * 3).fill(7), width: 2, height: 3 };
    expect(checkRgbImage(rgb)).toBe(rgb);
    expect(await toRgbImage(rgb)).toBe(rgb);
  });

  it.each([
    ['a zero width', { data: new Uint8Array(0), width: 0, height: 3 }, 'positive integers'],
    ['a fractional height', { data: new Uint8Array(6), width: 1, height: 1.5 }, 'positive integers'],
    [
      'the wrong byte count',
      { data: new Uint8Array(5), width: 1, height: 2 },
      'has 5 bytes, expected 1x2x3 = 6',
    ],
    ['float data', { data: new Float32Array(6), width: 1, height: 2 }, 'must be a Uint8Array'],
  ])('rejects an RgbImage with %s', async (_, bad, problem) => {
    await expect(toRgbImage(bad as never)).rejects.toThrow(DetectorInputError);
    await expect(toRgbImage(bad as never)).rejects.toThrow(problem);
  });

  it('rejects what is not an image', async () => {
    for (const bad of [42, null, undefined, { width: 1 }, '', new Uint8Array(0)]) {
      await expect(toRgbImage(bad as never)).rejects.toMatchObject({ code: 'DETECTOR_INPUT' });
    }
  });

  it('passes coco-data’s typed errors through for unreadable files and undecodable bytes', async () => {
    await expect(toRgbImage('/nonexistent/dir/image.jpg')).rejects.toThrow(ImageReadError);
    await expect(toRgbImage(Buffer.from('not an image at all'))).rejects.toThrow(ImageDecodeError);
  });
});
