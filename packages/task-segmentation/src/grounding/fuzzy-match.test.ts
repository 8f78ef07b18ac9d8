import { damerauLevenshtein, maxEditsFor, SpellingCorrector, singularCandidates } from './fuzzy-match';

describe('damerauLevenshtein', () => {
  it.each([
    ['elephant', 'elephant', 0],
    ['elefant', 'elephant', 2],
    ['bananna', 'banana', 1],
    ['skatebaord', 'skateboard', 1],
    ['giraf', 'giraffe', 2],
    ['', 'cat', 3],
    ['cat', '', 3],
    ['ca', 'ac', 1],
    ['abcdef', 'badcfe', 3],
  ])('%s → %s is %i', (a, b, expected) => {
    expect(damerauLevenshtein(a, b)).toBe(expected);
    expect(damerauLevenshtein(b, a)).toBe(expected);
  });

  it('stops at limit + 1 once the distance must exceed the limit', () => {
    expect(damerauLevenshtein('elephant', 'zebra', 2)).toBe(3);
    expect(damerauLevenshtein('a', 'abcdef', 1)).toBe(2);
    expect(damerauLevenshtein('umbrela', 'umbrella', 1)).toBe(1);
  });
});

describe('maxEditsFor', () => {
  it('allows none below 4 letters, 1 up to 6 and 2 from 7, counted on the longer word', () => {
    expect(maxEditsFor('cta', 'cat')).toBe(0);
    expect(maxEditsFor('zebr', 'zebra')).toBe(1);
    expect(maxEditsFor('umbrel', 'umbrel')).toBe(1);
    expect(maxEditsFor('giraf', 'giraffe')).toBe(2);
    expect(maxEditsFor('elefant', 'elephant')).toBe(2);
  });
});

describe('singularCandidates', () => {
  it('undoes regular plurals', () => {
    expect(singularCandidates('puppies')).toContain('puppy');
    expect(singularCandidates('boxes')).toContain('box');
    expect(singularCandidates('cats')).toContain('cat');
    expect(singularCandidates('knives')).toContain('knife');
    expect(singularCandidates('grass')).toEqual([]);
  });
});

describe('SpellingCorrector', () => {
  const vocabulary = [
    'elephant',
    'elephants',
    'giraffe',
    'banana',
    'umbrella',
    'glass',
    'grass',
    'cat',
    'car',
    'cake',
  ];
  const corrector = new SpellingCorrector([...vocabulary, 'segment', 'the'], vocabulary);

  it.each([
    ['elefant', 'elephant'],
    ['elefants', 'elephants'],
    ['giraf', 'giraffe'],
    ['bananna', 'banana'],
    ['umbrela', 'umbrella'],
    ['gras', 'grass'],
  ])('corrects %s to %s', (word, expected) => {
    expect(corrector.correct(word)).toBe(expected);
  });

  it('never changes a known word, even one edit from another known word', () => {
    expect(corrector.correct('grass')).toBe('grass');
    expect(corrector.correct('glass')).toBe('glass');
    expect(corrector.correct('segment')).toBe('segment');
    expect(corrector.correct('cats')).toBe('cats'); // a regular plural of a known word is known
  });

  it('leaves short words, words far from every target and non-letters alone', () => {
    expect(corrector.correct('cta')).toBe('cta');
    expect(corrector.correct('cap')).toBe('cap');
    expect(corrector.correct('dinosaur')).toBe('dinosaur');
    expect(corrector.correct('b52s')).toBe('b52s');
  });

  it('keeps the first letter: an unknown real word is not turned into a known one that differs there', () => {
    expect(corrector.correct('lake')).toBe('lake');
    expect(corrector.correct('bake')).toBe('bake');
    expect(corrector.correct('cakes')).toBe('cakes');
  });

  it('tells known words from unknown ones', () => {
    expect(corrector.isKnown('bananas')).toBe(true);
    expect(corrector.isKnown('bananna')).toBe(false);
  });
});
