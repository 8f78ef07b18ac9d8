import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GroundingLexiconError } from './errors';

/**
 * What WordNet 3.1 says about task words, derived once by `pnpm --filter @tasam/task-segmentation
 * wordnet-lexicon` (src/bin/write-wordnet-lexicon.ts) and shipped in data/, so WordNet itself is never installed
 * with the package:
 * - `hyponyms`: noun lemmas that name a kind of one COCO category, by the nearest category among their WordNet
 *   hypernyms ("dalmatian" → dog, "skier" → person, "kayak" → boat), stopped by a stuff anchor on the way
 *   ("oak" is a tree, never a potted plant). The encoder alone misreads many of them ("flamingos" → zebra);
 *   the grounder rewrites such a word to its category before embedding.
 * - `outside`: noun lemmas whose every physical sense is a thing COCO does not annotate ("helicopter", "lemon",
 *   "dinosaur"): a task naming one is not grounded, however near the encoder puts it to a category.
 * - `knownWords`: real English words within a misspelling of a phrasing or task word ("crows", "players",
 *   "lamp"), which the spelling corrector must not "correct" into one ("cows", "planes", "lamb").
 */
export const WORDNET_LEXICON_FILE = 'wordnet-lexicon.json';

export interface WordnetLexiconData {
  source: string;
  /** WordNet's licence notice, which must travel with data derived from it. */
  license: string;
  /** The WordNet sense chosen for each category (its words and gloss), for review. */
  categorySenses: Record<string, string>;
  hyponyms: Record<string, string>;
  outside: string[];
  knownWords: string[];
}

/** A word's possible noun lemmas by WordNet's detachment rules ("ponies" → "pony", "boxes" → "box"). */
export function nounLemmas(word: string): string[] {
  const out = [word];
  const rules: [string, string][] = [
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
    ['s', ''],
  ];
  for (const [suffix, ending] of rules)
    if (word.length > suffix.length + 1 && word.endsWith(suffix))
      out.push(word.slice(0, -suffix.length) + ending);
  return out;
}

export class WordnetLexicon {
  private constructor(
    private readonly hyponyms: ReadonlyMap<string, string>,
    private readonly outside: ReadonlySet<string>,
    readonly knownWords: readonly string[],
    /** SHA-256 of the lexicon's JSON: names it in grounding versions. */
    readonly sha256: string,
  ) {}

  private static shippedLexicon: WordnetLexicon | undefined;

  /** The package's own lexicon, read once per process. */
  static shipped(): WordnetLexicon {
    WordnetLexicon.shippedLexicon ??= WordnetLexicon.load();
    return WordnetLexicon.shippedLexicon;
  }

  /**
   * The shipped lexicon's sha256 without parsing it (~3 ms against ~25 ms): what GROUNDING_VERSION needs, on
   * every run, even when every grounding comes from the cache. GroundingLexiconError if it cannot be read.
   */
  static shippedSha256(): string {
    const path = WordnetLexicon.defaultPath();
    try {
      return createHash('sha256').update(readFileSync(path, 'utf8')).digest('hex');
    } catch (cause) {
      throw new GroundingLexiconError(path, 'cannot read the lexicon', { cause });
    }
  }

  /** data/wordnet-lexicon.json of the package (two levels above this file in src/ and dist/ alike). */
  static defaultPath(): string {
    return join(__dirname, '..', '..', 'data', WORDNET_LEXICON_FILE);
  }

  /** Reads a lexicon file; GroundingLexiconError names the file and the problem. */
  static load(path = WordnetLexicon.defaultPath()): WordnetLexicon {
    let text: string;
    let data: WordnetLexiconData;
    try {
      text = readFileSync(path, 'utf8');
      data = JSON.parse(text) as WordnetLexiconData;
    } catch (cause) {
      throw new GroundingLexiconError(path, 'cannot read the lexicon as JSON', { cause });
    }
    if (
      !data ||
      typeof data.hyponyms !== 'object' ||
      data.hyponyms === null ||
      !Array.isArray(data.outside) ||
      !Array.isArray(data.knownWords)
    )
      throw new GroundingLexiconError(
        path,
        'not a tasam WordNet lexicon (hyponyms, outside and knownWords expected)',
      );
    return WordnetLexicon.from(data, text);
  }

  /** A lexicon from its data (`text`: the JSON it was read from, for its sha256). */
  static from(
    data: Pick<WordnetLexiconData, 'hyponyms' | 'outside' | 'knownWords'>,
    text = JSON.stringify(data),
  ): WordnetLexicon {
    return new WordnetLexicon(
      new Map(Object.entries(data.hyponyms)),
      new Set(data.outside),
      data.knownWords,
      createHash('sha256').update(text).digest('hex'),
    );
  }

  /**
   * What WordNet says a noun lemma ("golden retriever", "helicopter") names: the COCO category it is a kind of,
   * null for a thing of no category, undefined when it does not say.
   */
  get(lemma: string): string | null | undefined {
    const category = this.hyponyms.get(lemma);
    if (category !== undefined) return category;
    return this.outside.has(lemma) ? null : undefined;
  }
}
