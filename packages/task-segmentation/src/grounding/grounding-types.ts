/** A category a task selects, with the encoder similarity of its best phrasing to the task. */
export interface GroundedCategory {
  id: number;
  name: string;
  score: number;
}

/** What a task asks for, as far as COCO categories go. */
export interface Grounding {
  task: string;
  /** True when the task names at least one category; false sends the caller down another path. */
  grounded: boolean;
  /** The selected categories, best first (ties in category order); empty when not grounded. */
  categories: GroundedCategory[];
  /** Canonical colour name ('grey' for "gray"), or null. Set from the text whether grounded or not. */
  colour: string | null;
}

/** How one part of a task ("cats" in "cats and dogs") was matched. */
export interface PartMatch {
  /** The text embedded. */
  text: string;
  /** The nearest category or group phrasing and its cosine similarity. */
  phrasing: string;
  score: number;
  /** The nearest stuff anchor and its similarity. */
  anchor: string;
  anchorScore: number;
  /** score - anchorScore: the part is grounded when this reaches the grounder's noneMargin. */
  margin: number;
  /** WordNet names the part a thing of no COCO category ("helicopters"): never grounded, whatever the margin. */
  outside: boolean;
  grounded: boolean;
  /** Indices into the phrasing table's categories that the phrasing selects. */
  categories: readonly number[];
}

/** A grounding with its working: the parsed task and every part's match. */
export interface GroundingExplanation {
  grounding: Grounding;
  parts: PartMatch[];
  corrections: { from: string; to: string }[];
}
