import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWordnetLexicon } from '../bin/write-wordnet-lexicon';
import { GroundingLexiconError } from './errors';
import { buildPhrasingTable } from './phrasing-table';
import { TaskParser } from './task-parser';
import { nounLemmas, WordnetLexicon } from './wordnet-lexicon';

const lexicon = WordnetLexicon.shipped();

describe('nounLemmas', () => {
  it("follows WordNet's detachment rules, the word itself first", () => {
    expect(nounLemmas('ponies')).toEqual(['ponies', 'pony', 'ponie']);
    expect(nounLemmas('boxes')).toEqual(['boxes', 'box', 'boxe']);
    expect(nounLemmas('firemen')).toEqual(['firemen', 'fireman']);
    expect(nounLemmas('glasses')).toEqual(['glasses', 'glass', 'glasse']);
    expect(nounLemmas('cat')).toEqual(['cat']);
  });
});

describe('the shipped WordNet lexicon (data/wordnet-lexicon.json)', () => {
  it('is what the builder derives from WordNet for the current tables (else: pnpm --filter @tasam/task-segmentation wordnet-lexicon)', () => {
    const shipped = JSON.parse(readFileSync(WordnetLexicon.defaultPath(), 'utf8'));
    expect(buildWordnetLexicon()).toEqual(shipped);
  }, 300_000);

  it('names kinds of categories, things of no category, and leaves phrasing words and ambiguous ones alone', () => {
    expect(lexicon.get('dalmatian')).toBe('dog');
    expect(lexicon.get('golden retriever')).toBe('dog');
    expect(lexicon.get('skier')).toBe('person');
    expect(lexicon.get('kayak')).toBe('boat');
    expect(lexicon.get('ostrich')).toBe('bird'); // WordNet lists "a person who refuses to face reality" first
    expect(lexicon.get('helicopter')).toBeNull();
    expect(lexicon.get('watermelon')).toBeNull();
    expect(lexicon.get('dog')).toBeUndefined(); // a phrasing: the encoder's
    expect(lexicon.get('tree')).toBeUndefined(); // a stuff anchor
    expect(lexicon.get('crane')).toBeUndefined(); // a lifting machine or a bird (both rare readings count)
    expect(lexicon.get('tiger')).toBeUndefined(); // a fierce person or a big cat of no category
    // Common readings only, when WordNet has sense counts: the seat (not the toilet), the child (not the young
    // mammal), the army man (not the soldier ant).
    expect(lexicon.get('stool')).toBeNull();
    expect(lexicon.get('baby')).toBe('person');
    expect(lexicon.get('soldier')).toBe('person');
    expect(lexicon.get('labrador')).toBeUndefined(); // the region is a named place, not a kind
    expect(lexicon.knownWords).toEqual(expect.arrayContaining(['crow', 'player', 'lamp', 'tablet']));
  });

  it('reads its sha256 without parsing, the same as a full load', () => {
    expect(WordnetLexicon.shippedSha256()).toBe(lexicon.sha256);
    expect(lexicon.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file and the problem when it cannot be used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tasam-lexicon-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    expect(() => WordnetLexicon.load(join(dir, 'missing.json'))).toThrow(GroundingLexiconError);
    expect(() => WordnetLexicon.load(write('cut.json', '{"hyponyms": {'))).toThrow(/cut\.json: cannot read/);
    expect(() => WordnetLexicon.load(write('other.json', '{"hyponyms": {}}'))).toThrow(
      /other\.json: not a tasam WordNet lexicon/,
    );
  });
});

describe('TaskParser with the lexicon', () => {
  const parser = new TaskParser(buildPhrasingTable(), {}, lexicon);
  const plain = new TaskParser(buildPhrasingTable());

  it('never "corrects" a real word into a phrasing word', () => {
    expect(plain.parse('segment the crows').parts).toEqual(['cows']);
    // "crows" stays crows, which WordNet then files under birds.
    expect(parser.parse('segment the crows')).toMatchObject({
      parts: ['bird'],
      corrections: [{ from: 'crows', to: 'bird' }],
    });
    expect(parser.parse('find the tablets').corrections).toEqual([]);
    // Misspellings that are no word still are.
    expect(parser.parse('segment the elefants').parts).toEqual(['elephants']);
  });

  it("rewrites a part's ending that WordNet files under a category to the category", () => {
    const parsed = parser.parse('highlight all the big german shepherds');
    expect(parsed.parts).toEqual(['big dog']);
    expect(parsed.corrections).toEqual([{ from: 'german shepherds', to: 'dog' }]);
    expect(parser.parse('segment the flamingos and the kayaks').parts).toEqual(['bird', 'boat']);
    expect(parsed.outside).toEqual([]);
  });

  it('marks parts naming things of no category, unless their last word is a phrasing', () => {
    expect(parser.parse('segment the helicopters').outside).toEqual(['helicopters']);
    expect(parser.parse('segment the street lamps').outside).toEqual(['street lamps']);
    // "trees" is a stuff anchor: the encoder's, however WordNet files apple trees.
    expect(parser.parse('segment the apple trees').outside).toEqual([]);
    // "coffee mug" is no cup in WordNet's tree, but its "mug" is one of the table's phrasings.
    const mug = parser.parse('segment the coffee mugs');
    expect(mug.outside).toEqual([]);
    expect(mug.parts).toEqual(['coffee mugs']);
    // A whole phrasing is never overridden by a shorter ending ("glasses": spectacles).
    expect(parser.parse('segment all wine glasses')).toMatchObject({ parts: ['wine glasses'], outside: [] });
  });
});
