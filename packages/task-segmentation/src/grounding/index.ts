export { calibrateMargin, type MarginCalibration, type MarginSample } from './calibrate';
export { GroundingLexiconError, GroundingPhrasingError, TaskTextEmptyError } from './errors';
export { damerauLevenshtein, maxEditsFor, SpellingCorrector, singularCandidates } from './fuzzy-match';
export { NONE_MARGIN } from './grounding-constants';
export type { GroundedCategory, Grounding, GroundingExplanation, PartMatch } from './grounding-types';
export { GROUNDING_VERSION, groundingVersion } from './grounding-version';
export {
  buildPhrasingTable,
  type Phrasing,
  type PhrasingTable,
  type PhrasingTableOptions,
} from './phrasing-table';
export {
  CATEGORY_GROUPS,
  CATEGORY_SYNONYMS,
  type CategoryGroup,
  STUFF_ANCHORS,
  UNINFLECTED_SYNONYMS,
} from './phrasings';
export {
  encodeGroundingVectors,
  GROUNDING_VECTORS_NAME,
  type GroundingVectorsManifest,
  groundingVectorsDir,
  loadGroundingVectors,
} from './precomputed-vectors';
export { phrasingTexts, TaskGrounder, type TaskGrounderOptions } from './task-grounder';
export {
  DEFAULT_TASK_WORDS,
  type ParsedTask,
  TaskParser,
  type TaskWordLists,
  tokenizeTask,
} from './task-parser';
export { COLOUR_WORDS, CONJUNCTIONS, INSTRUCTION_WORDS, RELATION_WORDS, SHADE_WORDS } from './task-words';
export {
  nounLemmas,
  WORDNET_LEXICON_FILE,
  WordnetLexicon,
  type WordnetLexiconData,
} from './wordnet-lexicon';
