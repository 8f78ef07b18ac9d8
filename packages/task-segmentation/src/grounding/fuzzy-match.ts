/**
 * Damerau-Levenshtein distance in its optimal-string-alignment form: insertions, deletions, substitutions
 * and transpositions of adjacent letters each cost 1 ("elefant" → "elephant" is 2, "skatebaord" →
 * "skateboard" is 1). Stops early and returns `limit + 1` once the distance must exceed `limit`.
 */
export function damerauLevenshtein(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const width = b.length + 1;
  let before = new Array<number>(width).fill(0);
  let previous = Array.from({ length: width }, (_, j) => j);
  let current = new Array<number>(width).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}

/**
 * Edits allowed between a word and a correction: none below 4 letters ("cat" and "car" are both words), 1 up
 * to 6 letters, 2 from 7 letters; counted on the longer of the two, so "giraf" may become "giraffe".
 */
export function maxEditsFor(word: string, candidate: string): number {
  const length = Math.max(word.length, candidate.length);
  if (word.length < 4) return 0;
  return length <= 6 ? 1 : 2;
}

/**
 * Corrects misspelt words against a vocabulary. A word is corrected only when it is not itself known (in
 * `known`, directly or as a regular plural of a known word), so real words that are close to each other
 * ("grass" and "glass") never turn into one another. The correction is the nearest of `targets` within
 * `maxEditsFor` that starts with the same letter: misspellings seldom change the first letter, while unknown
 * real words often sit one letter from a known one there ("lake" → "cake", "goods" → "woods"). Ties go to the
 * earlier target.
 */
export class SpellingCorrector {
  private readonly known: ReadonlySet<string>;
  private readonly targets: readonly string[];

  constructor(known: Iterable<string>, targets: Iterable<string>) {
    this.known = new Set(known);
    this.targets = [...new Set(targets)];
  }

  isKnown(word: string): boolean {
    if (this.known.has(word)) return true;
    return singularCandidates(word).some((singular) => this.known.has(singular));
  }

  /** The word itself when known or when nothing is near enough, else its correction. */
  correct(word: string): string {
    if (word.length < 4 || !/^[a-z]+$/.test(word) || this.isKnown(word)) return word;
    let best: string | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const target of this.targets) {
      if (target[0] !== word[0]) continue;
      const limit = maxEditsFor(word, target);
      if (limit === 0) continue;
      const distance = damerauLevenshtein(word, target, limit);
      if (distance <= limit && distance < bestDistance) {
        best = target;
        bestDistance = distance;
      }
    }
    return best ?? word;
  }
}

/** Singulars a regular English plural may come from: "puppies" → "puppy", "boxes" → "box", "cats" → "cat". */
export function singularCandidates(word: string): string[] {
  const out: string[] = [];
  if (word.endsWith('ies') && word.length > 4) out.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('es') && word.length > 3) out.push(word.slice(0, -2));
  if (word.endsWith('s') && !word.endsWith('ss') && word.length > 3) out.push(word.slice(0, -1));
  if (word.endsWith('ves') && word.length > 4) out.push(`${word.slice(0, -3)}f`, `${word.slice(0, -3)}fe`);
  return out;
}
