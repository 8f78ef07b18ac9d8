import { TasamError } from '@tasam/errors';
import { HypernetConfigError } from './errors';

describe('HypernetConfigError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new HypernetConfigError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('HYPERNET_CONFIG');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('HypernetConfigError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});
