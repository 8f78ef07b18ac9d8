/**
 * Words of a task that are not what it selects: instructions and fillers are dropped before embedding,
 * colours are returned separately, conjunctions split a task into parts, relation words end a part's head
 * noun phrase. All lower case. Data, so callers can pass their own lists.
 */

const words = (text: string): readonly string[] => text.trim().split(/\s+/);

/** Instruction verbs, determiners, pronouns and fillers ("segment", "all", "the", "please", "in this image"). */
export const INSTRUCTION_WORDS: readonly string[] = words(`
  segment segments segmentation highlight find show mask masks select outline cut out mark give locate detect
  identify pick label isolate get extract draw spot see want need look point circle crop track count keep
  all every each any the a an some this that these those my your their his her its our both them it they me
  i you we us only just single everything whole entire
  please can could would will where what which are is be there here to of for up do let kindly visible
  present shown pair pairs piece pieces kind kinds type types ones one
  two three four five six seven eight nine ten several many few multiple various
  image images picture pictures photo photos photograph scene frame shot
`);

/**
 * Colour words and the canonical name each returns ('gray' → 'grey', 'golden' → 'gold'). Every name is one
 * the colour filter's `basicColour` (src/colour) maps to a basic colour.
 */
export const COLOUR_WORDS: Readonly<Record<string, string>> = {
  red: 'red',
  green: 'green',
  yellow: 'yellow',
  orange: 'orange',
  blue: 'blue',
  purple: 'purple',
  violet: 'purple',
  pink: 'pink',
  brown: 'brown',
  black: 'black',
  white: 'white',
  grey: 'grey',
  gray: 'grey',
  silver: 'silver',
  gold: 'gold',
  golden: 'gold',
  beige: 'beige',
  turquoise: 'turquoise',
  tan: 'tan',
  navy: 'navy',
  cyan: 'cyan',
  magenta: 'magenta',
  crimson: 'red',
  scarlet: 'red',
};

/** Shade modifiers dropped with a colour ("dark blue cars" → blue, cars). */
export const SHADE_WORDS: readonly string[] = words('dark bright pale deep light colored coloured');

/** Tokens that join the names of several things ("cats and dogs"): each side is grounded on its own. */
export const CONJUNCTIONS: readonly string[] = words('and or , & plus nor');

/**
 * Words that start a context phrase: "the cat on the sofa" selects cats, so a part's head ends at the first
 * of these that follows a content word (before one, they are skipped: "in this picture, find the cats").
 */
export const RELATION_WORDS: readonly string[] = words(`
  on in at near beside by with under above below behind next inside from over along against around between
  among across into onto without underneath beneath holding wearing carrying riding eating sitting standing
  lying that which who
`);
