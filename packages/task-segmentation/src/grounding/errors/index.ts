export { GroundingLexiconError } from './grounding-lexicon-error';
export { GroundingPhrasingError } from './grounding-phrasing-error';
export { TaskTextEmptyError } from './task-text-empty-error';
