import { describeValue } from '@tasam/errors';
import { TextEncoderInputError, TextTooLongError } from './errors';

/**
 * Longest accepted text, in UTF-16 units after whitespace normalisation. Task text is a sentence; a longer
 * input is almost surely a file or a paste gone wrong, and USE-lite's attention cost grows with its square.
 */
export const MAX_TEXT_CHARS = 4096;

/**
 * Checks `embed`'s argument and returns the texts as they are encoded and cached: trimmed, with each run of
 * whitespace (spaces, tabs, newlines) collapsed to one space, so "red  apples\n" and "red apples" share a
 * vector. Non-strings, empty or whitespace-only texts and texts over MAX_TEXT_CHARS are errors.
 */
export function normaliseTaskTexts(texts: unknown): string[] {
  if (!Array.isArray(texts))
    throw new TextEncoderInputError('texts', `must be an array of strings, got ${describeValue(texts)}`);
  return texts.map((text: unknown, i) => {
    const input = `texts[${i}]`;
    if (typeof text !== 'string')
      throw new TextEncoderInputError(input, `must be a string, got ${describeValue(text)}`);
    const normalised = text.replace(/\s+/g, ' ').trim();
    if (normalised.length === 0)
      throw new TextEncoderInputError(
        input,
        `${describeValue(text)} is empty or only whitespace; a task needs words`,
      );
    if (normalised.length > MAX_TEXT_CHARS)
      throw new TextTooLongError(input, normalised.length, MAX_TEXT_CHARS);
    return normalised;
  });
}
