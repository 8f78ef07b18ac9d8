import type { TasamError } from '@tasam/errors';
import { TextEncoderInputError, TextTooLongError } from './errors';
import { MAX_TEXT_CHARS, normaliseTaskTexts } from './task-text';

const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('normaliseTaskTexts', () => {
  it('trims and collapses whitespace runs so equivalent texts share one vector', () => {
    expect(normaliseTaskTexts(['  segment\tall \n red   apples  ', 'dogs'])).toEqual([
      'segment all red apples',
      'dogs',
    ]);
    expect(normaliseTaskTexts([])).toEqual([]);
  });

  it('rejects an empty or whitespace-only text, naming its index', () => {
    const empty = errorOf(() => normaliseTaskTexts(['dogs', '']));
    expect(empty).toBeInstanceOf(TextEncoderInputError);
    expect((empty as TasamError).code).toBe('TEXT_ENCODER_INPUT');
    expect((empty as Error).message).toBe('texts[1]: "" is empty or only whitespace; a task needs words');
    expect(() => normaliseTaskTexts([' \t\n '])).toThrow(/^texts\[0\]: .* is empty or only whitespace/);
  });

  it('rejects non-string entries and a non-array argument', () => {
    expect(() => normaliseTaskTexts(['ok', 42])).toThrow('texts[1]: must be a string, got number 42');
    expect(() => normaliseTaskTexts([null])).toThrow('texts[0]: must be a string, got null');
    expect(() => normaliseTaskTexts('segment all people')).toThrow(
      'texts: must be an array of strings, got "segment all people"',
    );
    expect(() => normaliseTaskTexts(undefined)).toThrow(TextEncoderInputError);
  });

  it(`accepts ${MAX_TEXT_CHARS} characters and rejects one more with TextTooLongError`, () => {
    expect(normaliseTaskTexts(['a'.repeat(MAX_TEXT_CHARS)])[0]).toHaveLength(MAX_TEXT_CHARS);
    const error = errorOf(() => normaliseTaskTexts(['ok', 'a'.repeat(MAX_TEXT_CHARS + 1)]));
    expect(error).toBeInstanceOf(TextTooLongError);
    expect((error as TextTooLongError).code).toBe('TEXT_TOO_LONG');
    expect((error as Error).message).toBe(
      `texts[1]: is ${MAX_TEXT_CHARS + 1} characters long, more than the limit of ${MAX_TEXT_CHARS}; a task is a short sentence`,
    );
  });

  it('measures length after whitespace normalisation', () => {
    expect(normaliseTaskTexts([`${' '.repeat(10_000)}dogs`])).toEqual(['dogs']);
  });
});
