import { TaskTextEmptyError } from './errors';
import { SpellingCorrector } from './fuzzy-match';
import type { PhrasingTable } from './phrasing-table';
import { COLOUR_WORDS, CONJUNCTIONS, INSTRUCTION_WORDS, RELATION_WORDS, SHADE_WORDS } from './task-words';

/** The word lists a TaskParser uses; each defaults to the table of the same name in task-words.ts. */
export interface TaskWordLists {
  instructionWords: readonly string[];
  colourWords: Readonly<Record<string, string>>;
  shadeWords: readonly string[];
  conjunctions: readonly string[];
  relationWords: readonly string[];
}

export const DEFAULT_TASK_WORDS: TaskWordLists = {
  instructionWords: INSTRUCTION_WORDS,
  colourWords: COLOUR_WORDS,
  shadeWords: SHADE_WORDS,
  conjunctions: CONJUNCTIONS,
  relationWords: RELATION_WORDS,
};

/** A task taken apart before embedding. */
export interface ParsedTask {
  task: string;
  /** Lower-case word and punctuation tokens, misspellings corrected. */
  tokens: string[];
  /** Words that were corrected, in order. */
  corrections: { from: string; to: string }[];
  /** Canonical name of the first colour word, or null. */
  colour: string | null;
  /**
   * What the task names, one text per conjunct ("cats and dogs" → ["cats", "dogs"]): the head noun phrase
   * with instruction, colour and context words removed. Empty when the task names nothing ("segment all").
   */
  parts: string[];
}

/** Lower-case words, with "," and "&" kept as tokens; hyphens and slashes separate words, apostrophes vanish. */
export function tokenizeTask(task: string): string[] {
  const text = task
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’`]/g, '');
  return text.match(/[a-z0-9]+|[,&]/g) ?? [];
}

/**
 * Splits task text into what it names and its colour: corrects misspellings (only words no list knows),
 * takes colour words out, splits at conjunctions and keeps each part's head noun phrase without instruction
 * words. A colour word that is also a thing ("orange") is a colour only when a noun follows it ("orange
 * cars"), never at the end or before a conjunction ("segment the orange", "oranges and apples").
 */
export class TaskParser {
  readonly words: TaskWordLists;
  readonly corrector: SpellingCorrector;
  private readonly instruction: ReadonlySet<string>;
  private readonly conjunctions: ReadonlySet<string>;
  private readonly relations: ReadonlySet<string>;
  private readonly shades: ReadonlySet<string>;
  private readonly phrasingWords: ReadonlySet<string>;

  constructor(table: PhrasingTable, words: Partial<TaskWordLists> = {}) {
    this.words = { ...DEFAULT_TASK_WORDS, ...words };
    this.instruction = new Set(this.words.instructionWords);
    this.conjunctions = new Set(this.words.conjunctions);
    this.relations = new Set(this.words.relationWords);
    this.shades = new Set(this.words.shadeWords);
    this.phrasingWords = new Set(table.phrasings.flatMap((phrasing) => phrasing.text.split(' ')));
    const stuffWords = table.anchors.flatMap((anchor) => anchor.split(' '));
    const colourWords = Object.keys(this.words.colourWords);
    const known = [
      ...this.phrasingWords,
      ...stuffWords,
      ...colourWords,
      ...this.instruction,
      ...this.conjunctions,
      ...this.relations,
      ...this.shades,
    ];
    // Things first, so a tie between a thing and an instruction word goes to the thing.
    const targets = [...this.phrasingWords, ...stuffWords, ...colourWords, ...this.instruction];
    this.corrector = new SpellingCorrector(known, targets);
  }

  /** Throws TaskTextEmptyError for a non-string, empty or whitespace-only task. */
  parse(task: string, input = 'task'): ParsedTask {
    if (typeof task !== 'string') throw new TaskTextEmptyError(input, `is not a string (${typeof task})`);
    if (task.trim() === '')
      throw new TaskTextEmptyError(input, task === '' ? 'is empty' : 'is only whitespace');
    const corrections: ParsedTask['corrections'] = [];
    const tokens = tokenizeTask(task).map((token) => {
      const corrected = this.corrector.correct(token);
      if (corrected !== token) corrections.push({ from: token, to: corrected });
      return corrected;
    });
    const { colour, rest } = this.extractColour(tokens);
    const parts: string[] = [];
    for (const conjunct of this.splitConjuncts(rest)) {
      const head = this.headWords(conjunct);
      if (head.length > 0) parts.push(head.join(' '));
    }
    return { task, tokens, corrections, colour, parts };
  }

  /** The first colour's canonical name, and the tokens without colour words (and shades before them). */
  extractColour(tokens: readonly string[]): { colour: string | null; rest: string[] } {
    let colour: string | null = null;
    const isColour = tokens.map((token, i) => {
      if (!Object.hasOwn(this.words.colourWords, token)) return false;
      return !this.phrasingWords.has(token) || this.isContentWord(tokens[i + 1]);
    });
    const rest: string[] = [];
    tokens.forEach((token, i) => {
      if (isColour[i]) {
        colour ??= this.words.colourWords[token];
        return;
      }
      if (this.shades.has(token) && isColour[i + 1]) return;
      rest.push(token);
    });
    return { colour, rest };
  }

  /** Drops instruction words; keeps content words up to the first relation word that follows one. */
  headWords(tokens: readonly string[]): string[] {
    const head: string[] = [];
    for (const token of tokens) {
      if (this.relations.has(token)) {
        if (head.length > 0) break;
        continue;
      }
      if (this.instruction.has(token) || this.conjunctions.has(token)) continue;
      head.push(token);
    }
    return head;
  }

  private splitConjuncts(tokens: readonly string[]): string[][] {
    const out: string[][] = [[]];
    for (const token of tokens) {
      if (this.conjunctions.has(token)) out.push([]);
      else out[out.length - 1].push(token);
    }
    return out;
  }

  private isContentWord(token: string | undefined): boolean {
    if (token === undefined) return false;
    return !this.conjunctions.has(token) && !this.relations.has(token) && !this.instruction.has(token);
  }
}
