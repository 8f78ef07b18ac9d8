import { TasamError } from '@tasam/errors';
import { DemoRequestError } from './demo-request-error';

describe('DemoRequestError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new DemoRequestError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('DEMO_REQUEST');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('DemoRequestError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});
