import { TasamError } from '@tasam/errors';
import { SamModelMissingError } from './errors';

describe('SamModelMissingError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new SamModelMissingError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('SAM_MODEL_MISSING');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('SamModelMissingError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});
