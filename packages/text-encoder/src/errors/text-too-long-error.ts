import { TasamError } from '@tasam/errors';

/** A text is longer than `MAX_TEXT_CHARS`: task text is a sentence, not a document. */
export class TextTooLongError extends TasamError<'TEXT_TOO_LONG'> {
  constructor(
    readonly input: string,
    readonly length: number,
    readonly limit: number,
  ) {
    super(
      'TEXT_TOO_LONG',
      `${input}: is ${length} characters long, more than the limit of ${limit}; a task is a short sentence`,
    );
  }
}
