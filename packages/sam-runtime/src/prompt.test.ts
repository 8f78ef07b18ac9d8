import { TasamError } from '@tasam/errors';
import { ImageFrame } from './image-frame';
import { encodePrompt, type Prompt, validatePrompt } from './prompt';

const frame = new ImageFrame({ width: 640, height: 480 });

function promptError(prompt: unknown): TasamError {
  try {
    validatePrompt(prompt as Prompt, frame);
  } catch (error) {
    if (TasamError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected validatePrompt to throw');
}

describe('validatePrompt', () => {
  it('accepts points, a box, both, and a mask input', () => {
    const maskInput = { data: new Float32Array(256 * 256), dims: [1, 1, 256, 256] };
    expect(() => validatePrompt({ points: [{ x: 0, y: 0, label: 1 }] }, frame)).not.toThrow();
    expect(() => validatePrompt({ box: [0, 0, 640, 480] }, frame)).not.toThrow();
    expect(() =>
      validatePrompt({ points: [{ x: 5, y: 5, label: 0 }], box: [1, 2, 3, 4], maskInput }, frame),
    ).not.toThrow();
    expect(() => validatePrompt({ maskInput }, frame)).not.toThrow();
  });

  it('names the point that lies outside the image', () => {
    const error = promptError({
      points: [
        { x: 1, y: 1, label: 1 },
        { x: 700, y: 20, label: 1 },
      ],
    });
    expect(error.code).toBe('INVALID_PROMPT');
    expect(error.message).toBe('prompt point 2 (700, 20): outside the 640x480 image');
  });

  it('rejects malformed boxes, labels, empty prompts and mis-shaped masks', () => {
    expect(promptError({ box: [10, 10, 5, 20] }).message).toBe(
      'prompt box 10,10,5,20: needs x0 < x1 and y0 < y1',
    );
    expect(promptError({ box: [1, 2, 3] }).message).toBe(
      'prompt box: expected four finite numbers x0,y0,x1,y1',
    );
    expect(promptError({ box: [0, 0, 641, 10] }).message).toBe(
      'prompt box 0,0,641,10: extends outside the 640x480 image',
    );
    expect(promptError({ points: [{ x: 1, y: 1, label: 2 }] }).message).toContain(
      'label must be 1 (foreground) or 0',
    );
    expect(promptError({ points: [{ x: Number.NaN, y: 1, label: 1 }] }).message).toContain('finite');
    expect(promptError({}).message).toBe('prompt: is empty: give at least one point, a box or a mask input');
    const bad = promptError({
      points: [{ x: 1, y: 1, label: 1 }],
      maskInput: { data: new Float32Array(4), dims: [1, 1, 2, 2] },
    });
    expect(bad.code).toBe('INVALID_TENSOR');
    expect(bad.message).toContain('prompt.maskInput: expected dims [1,1,256,256]');
  });
});

describe('encodePrompt', () => {
  it('appends a padding point when there is no box', () => {
    const encoded = encodePrompt({ points: [{ x: 320, y: 240, label: 1 }] }, frame);
    expect(encoded.tokens).toBe(2);
    expect(Array.from(encoded.coords)).toEqual([512, 384, 0, 0]);
    expect(Array.from(encoded.labels)).toEqual([1, -1]);
  });

  it('encodes box corners with labels 2 and 3 after the points, without padding', () => {
    const encoded = encodePrompt({ points: [{ x: 64, y: 48, label: 0 }], box: [10, 20, 320, 240] }, frame);
    expect(encoded.tokens).toBe(3);
    expect(Array.from(encoded.coords)).toEqual([102.4, 76.8, 16, 32, 512, 384].map(Math.fround));
    expect(Array.from(encoded.labels)).toEqual([0, 2, 3]);
  });
});
