import { TasamError } from '@tasam/errors';
import { CocoFormatError } from './errors';

describe('CocoFormatError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new CocoFormatError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('COCO_FORMAT');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('CocoFormatError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});
