import { TasamError } from '@tasam/errors';
import {
  CocoEvalInputError,
  EvalOrderError,
  EvalParamsError,
  JsonFileError,
  RleSizeError,
  UnknownImageError,
} from '.';

describe('coco-eval errors', () => {
  it('name the input and the problem under a stable code', () => {
    const error = new CocoEvalInputError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('COCO_EVAL_INPUT');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('CocoEvalInputError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });

  it('give each failure kind its own class and code', () => {
    const cases: [TasamError, string, RegExp][] = [
      [new JsonFileError('r.json', 'not valid JSON'), 'COCO_EVAL_FILE', /^r\.json: not valid JSON$/],
      [
        new UnknownImageError('r.json', [7, 8], 3),
        'COCO_EVAL_UNKNOWN_IMAGE',
        /r\.json: .*images absent.*7, 8.*result 3/,
      ],
      [
        new RleSizeError('r.json', 2, 9, [10, 20], [20, 10]),
        'COCO_EVAL_RLE_SIZE',
        /result 2 \(image 9\).*\[10, 20\].*\[20, 10\]/,
      ],
      [
        new EvalParamsError('maxDets', 'must not be empty'),
        'COCO_EVAL_PARAMS',
        /^params\.maxDets: must not be empty$/,
      ],
      [new EvalOrderError('accumulate', 'evaluate'), 'COCO_EVAL_ORDER', /accumulate\(\) needs evaluate\(\)/],
    ];
    for (const [error, code, message] of cases) {
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(TasamError.isInstance(error)).toBe(true);
    }
  });

  it('shortens long lists of unknown images', () => {
    const error = new UnknownImageError('r.json', [1, 2, 3, 4, 5, 6, 7], 0);
    expect(error.message).toContain('1, 2, 3, 4, 5, … (7 in all)');
    expect(error.imageIds).toHaveLength(7);
  });
});
