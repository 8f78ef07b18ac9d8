import { TasamError } from '@tasam/errors';
import { MAX_POINTS, parseSegmentRequest } from './segment-request';

const image = { width: 640, height: 480 };
const imageId = 'AAAAAAAAAAAAAAAAAAAAAA';

function problem(body: unknown): string {
  try {
    parseSegmentRequest(body, image);
  } catch (error) {
    if (TasamError.hasCode(error, 'DEMO_REQUEST')) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('parseSegmentRequest', () => {
  it('reads a prompt request with points and a box', () => {
    const request = parseSegmentRequest(
      {
        imageId,
        mode: 'prompt',
        points: [
          { x: 10, y: 20, label: 1 },
          { x: 0, y: 480, label: 0 },
        ],
        box: [1, 2, 300, 400],
      },
      image,
    );
    expect(request).toEqual({
      imageId,
      mode: 'prompt',
      task: undefined,
      points: [
        { x: 10, y: 20, label: 1 },
        { x: 0, y: 480, label: 0 },
      ],
      box: [1, 2, 300, 400],
      compare: false,
    });
  });

  it('reads an automatic task request, trimming the task', () => {
    const request = parseSegmentRequest(
      { imageId, mode: 'automatic', task: '  segment all cats ', compare: true },
      image,
    );
    expect(request).toMatchObject({ mode: 'automatic', task: 'segment all cats', points: [], compare: true });
  });

  it('names the field that is wrong', () => {
    expect(problem(null)).toBe('body: expected a JSON object');
    expect(problem({ mode: 'prompt' })).toMatch(/^imageId: required/);
    expect(problem({ imageId, mode: 'everything' })).toBe(
      'mode: expected "automatic" or "prompt", got "everything"',
    );
    expect(problem({ imageId, mode: 'prompt' })).toBe(
      'points: prompt mode needs at least one point or a box',
    );
    expect(problem({ imageId, mode: 'automatic', points: [{ x: 1, y: 1, label: 1 }] })).toMatch(
      /^mode: automatic/,
    );
    expect(problem({ imageId, points: [{ x: 641, y: 1, label: 1 }] })).toBe(
      'points[0].x: 641 lies outside the image (0..640)',
    );
    expect(problem({ imageId, points: [{ x: 1, y: Number.NaN, label: 1 }] })).toMatch(
      /^points\[0\]\.y: expected a number/,
    );
    expect(problem({ imageId, points: [{ x: 1, y: 1, label: 2 }] })).toMatch(/^points\[0\]\.label/);
    expect(problem({ imageId, points: [{ x: 1, y: 1, label: 1 }], compare: 'yes' })).toMatch(/^compare/);
    expect(problem({ imageId, box: [10, 10, 5, 20] })).toBe(
      'box: [10,10,5,20] is empty: expected x0 < x1 and y0 < y1',
    );
    expect(problem({ imageId, box: [1, 2, 3] })).toBe('box: expected [x0, y0, x1, y1]');
    expect(problem({ imageId, box: [1, 2, 3, 4], path: '/etc/passwd' })).toMatch(/^path: unknown field/);
    expect(problem({ imageId, box: [1, 2, 3, 4], '': [] })).toMatch(/^"": unknown field/);
    expect(problem({ imageId, box: [1, 2, 3, 4], ['x'.repeat(500)]: 1 })).toMatch(/^"x{40}": unknown field/);
    expect(problem({ imageId, mode: 'automatic', task: 'x'.repeat(201) })).toMatch(
      /^task: is 201 characters/,
    );
    const many = Array.from({ length: MAX_POINTS + 1 }, () => ({ x: 1, y: 1, label: 1 }));
    expect(problem({ imageId, points: many })).toBe(
      `points: ${MAX_POINTS + 1} points; at most ${MAX_POINTS}`,
    );
  });
});
