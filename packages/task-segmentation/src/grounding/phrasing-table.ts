import { COCO_CATEGORIES, type CocoCategory, nounForms, pluralize } from '@tasam/coco-data';
import { GroundingPhrasingError } from './errors';
import {
  CATEGORY_GROUPS,
  CATEGORY_SYNONYMS,
  type CategoryGroup,
  STUFF_ANCHORS,
  UNINFLECTED_SYNONYMS,
} from './phrasings';

/** One text a task is compared with, and the categories (indices into the table's `categories`) it selects. */
export interface Phrasing {
  text: string;
  categories: readonly number[];
  /** 'category': a name, plural or synonym of one category; 'group': several categories at once. */
  source: 'category' | 'group';
}

export interface PhrasingTableOptions {
  /** The categories to ground to; COCO's 80 by default. */
  categories?: readonly Readonly<CocoCategory>[];
  /** Extra phrasings per category name; CATEGORY_SYNONYMS by default. */
  synonyms?: Readonly<Record<string, readonly string[]>>;
  /** Synonyms that get no regular plural added; UNINFLECTED_SYNONYMS by default. */
  uninflected?: readonly string[];
  /** Phrasings that select several categories; CATEGORY_GROUPS by default. */
  groups?: readonly CategoryGroup[];
  /** What a task may name instead of a category; STUFF_ANCHORS by default (plurals are added). */
  anchors?: readonly string[];
}

export interface PhrasingTable {
  categories: readonly Readonly<CocoCategory>[];
  phrasings: readonly Phrasing[];
  anchors: readonly string[];
}

/**
 * Every phrasing of every category and group, and the stuff anchors, deduplicated. A phrasing shared by two
 * entries keeps the first. Throws GroundingPhrasingError when a synonym or group names an unknown category.
 */
export function buildPhrasingTable(options: PhrasingTableOptions = {}): PhrasingTable {
  const categories = options.categories ?? COCO_CATEGORIES;
  const synonyms = options.synonyms ?? CATEGORY_SYNONYMS;
  const groups = options.groups ?? CATEGORY_GROUPS;
  const uninflected = new Set(options.uninflected ?? UNINFLECTED_SYNONYMS);
  const indexByName = new Map(categories.map((category, i) => [category.name.toLowerCase(), i]));
  const phrasings: Phrasing[] = [];
  const seen = new Set<string>();
  const add = (text: string, selected: readonly number[], source: Phrasing['source']) => {
    const key = normalisePhrase(text);
    if (!key || seen.has(key)) return;
    seen.add(key);
    phrasings.push({ text: key, categories: selected, source });
  };

  categories.forEach((category, i) => {
    const forms = nounForms(category.name);
    add(category.name, [i], 'category');
    add(forms.plural, [i], 'category');
  });
  for (const [name, words] of Object.entries(synonyms)) {
    const index = indexByName.get(name.toLowerCase());
    if (index === undefined) throw new GroundingPhrasingError(`synonyms["${name}"]`, 'names no category');
    for (const word of words) {
      add(word, [index], 'category');
      if (!uninflected.has(word) && !word.endsWith('s')) add(pluralize(word), [index], 'category');
    }
  }
  groups.forEach((group, g) => {
    const selected = new Set<number>();
    for (const name of group.categories ?? []) {
      const index = indexByName.get(name.toLowerCase());
      if (index === undefined)
        throw new GroundingPhrasingError(`groups[${g}].categories`, `"${name}" names no category`);
      selected.add(index);
    }
    for (const supercategory of group.supercategories ?? []) {
      const members = categories.flatMap((category, i) =>
        category.supercategory === supercategory ? [i] : [],
      );
      if (members.length === 0)
        throw new GroundingPhrasingError(
          `groups[${g}].supercategories`,
          `"${supercategory}" has no category`,
        );
      for (const i of members) selected.add(i);
    }
    if (selected.size === 0) throw new GroundingPhrasingError(`groups[${g}]`, 'selects no category');
    const sorted = [...selected].sort((a, b) => a - b);
    for (const text of group.phrasings) add(text, sorted, 'group');
  });

  // Anchors ending in "s" are left as they are ("stairs", "leaves"); the rest get a plural beside them.
  const anchors = new Set<string>();
  for (const anchor of options.anchors ?? STUFF_ANCHORS) {
    const key = normalisePhrase(anchor);
    if (!key || seen.has(key)) continue;
    anchors.add(key);
    if (!key.endsWith('s')) anchors.add(nounForms(key).plural.toLowerCase());
  }
  return { categories, phrasings, anchors: [...anchors] };
}

function normalisePhrase(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}
