/** How a category name reads as a noun: "a dog" / "dogs", "a pair of skis" / "skis", "some broccoli". */
export interface NounForms {
  singular: string;
  plural: string;
  /** Article for the singular: 'a', 'an' or 'some' (mass nouns). */
  article: string;
}

/**
 * COCO names whose forms the rules below would get wrong. Data, so new datasets can add theirs.
 */
export const IRREGULAR_NOUNS: Readonly<Record<string, Partial<NounForms>>> = {
  person: { plural: 'people' },
  sheep: { plural: 'sheep' },
  mouse: { plural: 'mice' },
  knife: { plural: 'knives' },
  skis: { singular: 'pair of skis', plural: 'skis', article: 'a' },
  scissors: { singular: 'pair of scissors', plural: 'scissors', article: 'a' },
  broccoli: { plural: 'broccoli', article: 'some' },
  tv: { singular: 'TV', plural: 'TVs', article: 'a' },
};

/**
 * Singular, plural and article of a category name (the last word is inflected: "traffic light" → "traffic
 * lights", "wine glass" → "wine glasses"). Names already plural ("skis") come from IRREGULAR_NOUNS.
 */
export function nounForms(
  name: string,
  irregular: Readonly<Record<string, Partial<NounForms>>> = IRREGULAR_NOUNS,
): NounForms {
  const key = name.trim().toLowerCase();
  const special = irregular[key] ?? {};
  const singular = special.singular ?? key;
  const plural = special.plural ?? pluralize(singular);
  const article = special.article ?? articleFor(singular);
  return { singular, plural, article };
}

/** English plural of a (multi-word) noun by the regular rules. */
export function pluralize(noun: string): string {
  const words = noun.split(' ');
  const last = words[words.length - 1];
  let plural: string;
  if (/(s|x|z|ch|sh)$/.test(last)) plural = `${last}es`;
  else if (/[^aeiou]y$/.test(last)) plural = `${last.slice(0, -1)}ies`;
  else plural = `${last}s`;
  words[words.length - 1] = plural;
  return words.join(' ');
}

/** 'an' before a vowel sound (by spelling), else 'a'. */
export function articleFor(phrase: string): string {
  return /^[aeiou]/i.test(phrase) ? 'an' : 'a';
}
