import { TasamError } from '@tasam/errors';
import { LoraShapeError } from './errors';

describe('LoraShapeError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new LoraShapeError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('LORA_SHAPE');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('LoraShapeError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});
