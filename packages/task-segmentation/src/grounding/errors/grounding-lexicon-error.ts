import { TasamError } from '@tasam/errors';

/** The shipped WordNet lexicon (data/wordnet-lexicon.json) cannot be used: missing, not JSON, or altered. */
export class GroundingLexiconError extends TasamError<'GROUNDING_LEXICON'> {
  constructor(
    readonly path: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('GROUNDING_LEXICON', `${path}: ${problem}`, options);
  }
}
