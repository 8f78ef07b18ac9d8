import { TaskTextEmptyError } from './errors';
import { SpellingCorrector } from './fuzzy-match';
import type { PhrasingTable } from './phrasing-table';
import { COLOUR_WORDS, CONJUNCTIONS, INSTRUCTION_WORDS, RELATION_WORDS, SHADE_WORDS } from './task-words';
import { nounLemmas, type WordnetLexicon } from './wordnet-lexicon';

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
  /**
   * Words that were corrected (misspellings) or rewritten to the category WordNet files them under
   * ("dalmatians" → "dog"), in order.
   */
  corrections: { from: string; to: string }[];
  /** Canonical name of the first colour word, or null. */
  colour: string | null;
  /**
   * What the task names, one text per conjunct ("cats and dogs" → ["cats", "dogs"]): the head noun phrase
   * with instruction, colour and context words removed. Empty when the task names nothing ("segment all").
   */
  parts: string[];
  /** The parts WordNet (the parser's lexicon) names things of no COCO category ("helicopters"). */
  outside: string[];
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
 * Splits task text into what it names and its colour: corrects misspellings (only words no list and, with a
 * lexicon, no dictionary knows), takes colour words out, splits at conjunctions and keeps each part's head noun
 * phrase without instruction words; with a lexicon, a part ending in a kind of a category ("german shepherds")
 * ends in the category's name instead, and one ending in a thing of no category ("helicopters") is marked so.
 * A colour word that is also a thing ("orange") is a colour only when a noun follows it ("orange cars"), never
 * at the end or before a conjunction ("segment the orange", "oranges and apples").
 */
export class TaskParser {
  readonly words: TaskWordLists;
  readonly corrector: SpellingCorrector;
  private readonly instruction: ReadonlySet<string>;
  private readonly conjunctions: ReadonlySet<string>;
  private readonly relations: ReadonlySet<string>;
  private readonly shades: ReadonlySet<string>;
  private readonly phrasingWords: ReadonlySet<string>;
  /** Every phrasing and anchor of the table, whole. */
  private readonly phrases: ReadonlySet<string>;
  /** Every word of the table's phrasings and anchors. */
  private readonly knownThings: ReadonlySet<string>;

  constructor(
    table: PhrasingTable,
    words: Partial<TaskWordLists> = {},
    readonly lexicon?: WordnetLexicon,
  ) {
    this.words = { ...DEFAULT_TASK_WORDS, ...words };
    this.instruction = new Set(this.words.instructionWords);
    this.conjunctions = new Set(this.words.conjunctions);
    this.relations = new Set(this.words.relationWords);
    this.shades = new Set(this.words.shadeWords);
    this.phrasingWords = new Set(table.phrasings.flatMap((phrasing) => phrasing.text.split(' ')));
    this.phrases = new Set([...table.phrasings.map((phrasing) => phrasing.text), ...table.anchors]);
    const stuffWords = table.anchors.flatMap((anchor) => anchor.split(' '));
    this.knownThings = new Set([...this.phrasingWords, ...stuffWords]);
    const colourWords = Object.keys(this.words.colourWords);
    const known = [
      ...this.phrasingWords,
      ...stuffWords,
      ...colourWords,
      ...this.instruction,
      ...this.conjunctions,
      ...this.relations,
      ...this.shades,
      ...(lexicon?.knownWords ?? []),
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
    const outside: string[] = [];
    for (const conjunct of this.splitConjuncts(rest)) {
      const head = this.headWords(conjunct);
      if (head.length === 0) continue;
      const known = this.lookUp(head);
      if (known?.category) {
        corrections.push({ from: known.from, to: known.category });
        head.splice(head.length - known.words, known.words, known.category);
      }
      parts.push(head.join(' '));
      if (known && known.category === null) outside.push(head.join(' '));
    }
    return { task, tokens, corrections, colour, parts, outside };
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

  /**
   * Drops instruction words; keeps content words up to the first relation word that follows one, or the first
   * -ing word that follows one (a participle clause: "the horses pulling the carriage", "cows grazing") unless
   * it is itself a phrasing or anchor word ("buildings").
   */
  headWords(tokens: readonly string[]): string[] {
    const head: string[] = [];
    for (const token of tokens) {
      if (this.relations.has(token)) {
        if (head.length > 0) break;
        continue;
      }
      if (head.length > 0 && isParticiple(token) && !this.knownThings.has(token)) break;
      if (this.instruction.has(token) || this.conjunctions.has(token)) continue;
      head.push(token);
    }
    return head;
  }

  /**
   * What the lexicon says of the longest ending of a part it knows (up to three words, the last singular or
   * plural): "german shepherds" → dog, "flamingos" → bird, "helicopters" → null (no category). An ending that
   * is one of the table's own phrasings or anchors ("wine glasses", "vases") stops the search: those are the
   * encoder's, and a shorter ending must not override them ("glasses", "vas"). Nor does "no category" stand
   * over a shorter ending that is a phrasing: English compounds name a kind of their last word, and the table
   * knows a coffee mug's "mug" and a fishing boat's "boats" better than WordNet's tree does.
   */
  lookUp(head: readonly string[]): { from: string; category: string | null; words: number } | undefined {
    if (!this.lexicon) return undefined;
    const endings = (n: number) =>
      nounLemmas(head[head.length - 1]).map((last) => [...head.slice(head.length - n, -1), last].join(' '));
    const isPhrase = (n: number) => endings(n).some((phrase) => this.phrases.has(phrase));
    for (let n = Math.min(3, head.length); n >= 1; n--) {
      if (isPhrase(n)) return undefined;
      for (const phrase of endings(n)) {
        const category = this.lexicon.get(phrase);
        if (category === undefined) continue;
        if (category === null && Array.from({ length: n - 1 }, (_, m) => m + 1).some(isPhrase))
          return undefined;
        return { from: head.slice(head.length - n).join(' '), category, words: n };
      }
    }
    return undefined;
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

/** An -ing word long enough not to be "king" or "ring": after a noun, it opens a participle clause. */
function isParticiple(token: string): boolean {
  return token.length >= 6 && token.endsWith('ing');
}
