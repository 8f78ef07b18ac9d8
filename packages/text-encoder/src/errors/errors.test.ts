import { TasamError } from '@tasam/errors';
import { TextEncoderInputError } from './text-encoder-input-error';

describe('TextEncoderInputError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new TextEncoderInputError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('TEXT_ENCODER_INPUT');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('TextEncoderInputError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});
