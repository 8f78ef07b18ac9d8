import { TasamError } from '@tasam/errors';
import { CocoEvalInputError } from './errors';

describe('CocoEvalInputError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new CocoEvalInputError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('COCO_EVAL_INPUT');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('CocoEvalInputError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});
