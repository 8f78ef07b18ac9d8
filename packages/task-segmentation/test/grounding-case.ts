import { COCO_CATEGORIES } from '@tasam/coco-data';

/** The kinds of phrasing the grounding sets group their cases by, for the accuracy report. */
export type GroundingCaseKind =
  | 'plain'
  | 'plural'
  | 'verb'
  | 'synonym'
  | 'misspelling'
  | 'supercategory'
  | 'colour'
  | 'multi'
  | 'context'
  | 'open'
  | 'none';

export interface GroundingCase {
  text: string;
  categories: string[];
  colour: string | null;
  kind: GroundingCaseKind;
}

/** A case: what grounding must return for `text` (`categories` are COCO names; empty means "not grounded"). */
export const groundingCase = (
  kind: GroundingCaseKind,
  text: string,
  categories: string[],
  colour: string | null = null,
): GroundingCase => ({ text, categories, colour, kind });

/** The COCO names of a supercategory, in COCO order (what a supercategory task must select). */
const supercategory = (name: string): string[] =>
  COCO_CATEGORIES.filter((c) => c.supercategory === name).map((c) => c.name);

export const VEHICLES = supercategory('vehicle');
export const ANIMALS = supercategory('animal');
export const FOOD = supercategory('food');
export const FURNITURE = supercategory('furniture');
export const KITCHEN = supercategory('kitchen');
export const ELECTRONIC = supercategory('electronic');
export const SPORTS = supercategory('sports');
export const ACCESSORY = supercategory('accessory');
export const APPLIANCE = supercategory('appliance');
export const INDOOR = supercategory('indoor');
export const OUTDOOR = supercategory('outdoor');
