import { createHash } from 'node:crypto';
import { NONE_MARGIN } from './grounding-constants';
import { buildPhrasingTable, type PhrasingTable } from './phrasing-table';
import { DEFAULT_TASK_WORDS, type TaskWordLists } from './task-parser';
import { WordnetLexicon } from './wordnet-lexicon';

/** Bumped when the method changes in ways the tables do not show (parsing rules, scoring). */
const METHOD_VERSION = 2;

/**
 * Names a grounder's behaviour: the method version and a hash of its phrasing table, word lists, margin and
 * WordNet lexicon (its sha256, if any), so cached groundings are never reused after any of them changes.
 */
export function groundingVersion(
  table: PhrasingTable,
  words: TaskWordLists,
  noneMargin: number,
  lexiconSha256?: string,
): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ table, words, noneMargin, lexicon: lexiconSha256 ?? null }))
    .digest('hex')
    .slice(0, 12);
  return `grounding-v${METHOD_VERSION}-${hash}`;
}

/** The version of a grounder with default options (what `TaskGrounder#version` is unless options change it). */
export const GROUNDING_VERSION = groundingVersion(
  buildPhrasingTable(),
  DEFAULT_TASK_WORDS,
  NONE_MARGIN,
  WordnetLexicon.shippedSha256(),
);
