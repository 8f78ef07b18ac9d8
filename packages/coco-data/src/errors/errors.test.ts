import { TasamError } from '@tasam/errors';
import { CocoFormatError, ImageDecodeError, InvalidRleError } from './index';

describe('CocoFormatError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new CocoFormatError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('COCO_FORMAT');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('CocoFormatError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });

  it('names the annotation when there is one', () => {
    const error = new CocoFormatError('instances.json', 'category_id 999 is not a known category', {
      annotationId: 42,
    });
    expect(error.message).toBe('instances.json: annotation 42: category_id 999 is not a known category');
    expect(error.annotationId).toBe(42);
  });
});

describe('other errors', () => {
  it('carry their codes and say what is wrong', () => {
    expect(new InvalidRleError('{size:[2,2]}', 'bad').message).toBe('RLE {size:[2,2]}: bad');
    const decode = new ImageDecodeError('x.jpg', { cause: new Error('premature end') });
    expect(decode.code).toBe('IMAGE_DECODE');
    expect(decode.message).toBe('x.jpg: not a decodable image: premature end');
  });
});
