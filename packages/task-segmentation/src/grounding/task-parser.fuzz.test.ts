// Fuzzed task texts through the parser the grounder uses (phrasing table, word lists and the shipped WordNet
// lexicon): arbitrary Unicode, word soups of task, colour, category and WordNet words, and mutations of real
// tasks. Every text parses to parts that are non-empty strings of the text's own (or corrected, or category)
// words, `outside` a subset of the parts, and corrections whose sources appear in the text; or, for an empty or
// whitespace text, a TaskTextEmptyError naming the input.
import fc from 'fast-check';
import { fuzzTimeout, ParserFuzz } from '../../../../tools/fuzz/fuzz-harness';
import { TaskTextEmptyError } from './errors';
import { buildPhrasingTable } from './phrasing-table';
import { type ParsedTask, TaskParser, tokenizeTask } from './task-parser';
import { COLOUR_WORDS, CONJUNCTIONS, INSTRUCTION_WORDS, RELATION_WORDS } from './task-words';
import { WordnetLexicon } from './wordnet-lexicon';

const fuzz = new ParserFuzz({
  package: '@tasam/task-segmentation',
  parser: 'task texts (grounding parser)',
  isTyped: (error) => error instanceof TaskTextEmptyError,
});
afterAll(() => fuzz.report());

const table = buildPhrasingTable();
const parser = new TaskParser(table, {}, WordnetLexicon.shipped());
const categoryNames = table.categories.map((c) => c.name);

const check = (text: string) => (parsed: ParsedTask) => {
  const tokens = new Set(tokenizeTask(text));
  for (const part of parsed.parts)
    if (typeof part !== 'string' || part.trim() === '' || part !== part.trim())
      return `bad part ${JSON.stringify(part)}`;
  for (const part of parsed.outside)
    if (!parsed.parts.includes(part)) return `outside part ${part} is not a part`;
  for (const { from } of parsed.corrections)
    if (!from.split(' ').every((word) => tokens.has(word)))
      return `correction from "${from}", not in the text`;
  if (parsed.colour !== null && !Object.values(COLOUR_WORDS).includes(parsed.colour))
    return `colour ${parsed.colour}`;
  return undefined;
};
const parse = (text: string) => fuzz.run('task', () => parser.parse(text), { check: check(text) });

const vocabulary = [
  ...INSTRUCTION_WORDS,
  ...CONJUNCTIONS,
  ...RELATION_WORDS,
  ...Object.keys(COLOUR_WORDS),
  ...categoryNames,
  ...table.anchors.slice(0, 40),
  'dalmatians',
  'golden',
  'retrievers',
  'helicopters',
  'crows',
  'coffee',
  'mugs',
  'wine',
  'glasses',
  'ies',
  's',
  'men',
  'xes',
  ',',
  '&',
  '!',
  "'s",
  '-',
  '',
];

describe('task texts under fuzzing', () => {
  it(
    'parse arbitrary Unicode text or reject an empty one by name',
    () => {
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), parse), fuzz.property('unicode'));
    },
    fuzzTimeout(),
  );

  it(
    'parse soups of task, colour, category and WordNet words',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...vocabulary), { maxLength: 14 }),
          fc.constantFrom(' ', '  ', '\t', ', '),
          (words, sep) => parse(words.join(sep)),
        ),
        fuzz.property('word soups'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'parse real tasks with letters inserted, dropped or swapped',
    () => {
      const tasks = [
        'segment all red apples',
        'find the golden retrievers and the kayaks',
        'highlight every suitcase',
      ];
      fc.assert(
        fc.property(
          fc.constantFrom(...tasks),
          fc.array(
            fc.tuple(
              fc.nat(60),
              fc.constantFrom('drop', 'insert', 'swap'),
              fc.string({ minLength: 1, maxLength: 1 }),
            ),
            {
              maxLength: 4,
            },
          ),
          (task, edits) => {
            let text = task;
            for (const [at, kind, ch] of edits) {
              const i = at % Math.max(1, text.length);
              if (kind === 'drop') text = text.slice(0, i) + text.slice(i + 1);
              else if (kind === 'insert') text = text.slice(0, i) + ch + text.slice(i);
              else
                text = text.slice(0, i) + text.slice(i + 1, i + 2) + text.slice(i, i + 1) + text.slice(i + 2);
            }
            return parse(text);
          },
        ),
        fuzz.property('mutated tasks'),
      );
    },
    fuzzTimeout(),
  );
});
