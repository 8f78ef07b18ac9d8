/** The basic colour names instances can be told apart by (Berlin and Kay's eleven). */
export const COLOUR_NAMES = [
  'red',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
  'pink',
  'brown',
  'black',
  'white',
  'grey',
] as const;

export type ColourName = (typeof COLOUR_NAMES)[number];

/** Words that mean one of the basic colours. */
const ALIASES: Record<string, ColourName> = {
  gray: 'grey',
  silver: 'grey',
  gold: 'yellow',
  golden: 'yellow',
  violet: 'purple',
  magenta: 'pink',
  tan: 'brown',
  beige: 'brown',
  cyan: 'blue',
  turquoise: 'blue',
  navy: 'blue',
  crimson: 'red',
  scarlet: 'red',
};

/** The basic colour a word names, or null. */
export function basicColour(word: string): ColourName | null {
  const w = word.trim().toLowerCase();
  if ((COLOUR_NAMES as readonly string[]).includes(w)) return w as ColourName;
  return ALIASES[w] ?? null;
}
