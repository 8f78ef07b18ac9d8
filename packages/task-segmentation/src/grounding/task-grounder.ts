import type { TextEncoder } from '@tasam/text-encoder';
import { NONE_MARGIN } from './grounding-constants';
import type { GroundedCategory, Grounding, GroundingExplanation, PartMatch } from './grounding-types';
import { groundingVersion } from './grounding-version';
import { buildPhrasingTable, type PhrasingTable, type PhrasingTableOptions } from './phrasing-table';
import { loadGroundingVectors } from './precomputed-vectors';
import { type ParsedTask, TaskParser, type TaskWordLists } from './task-parser';
import { WordnetLexicon } from './wordnet-lexicon';

export interface TaskGrounderOptions extends PhrasingTableOptions {
  /**
   * Use the phrasing vectors shipped in data/ when they were made by this encoder for this table (default true;
   * false embeds them, as happens anyway for another encoder or table).
   */
  precomputed?: boolean;
  /** Grounded when best category phrasing − best stuff anchor ≥ this; NONE_MARGIN (calibrated) by default. */
  noneMargin?: number;
  /** Replacements for the instruction, colour, shade, conjunction and relation word lists. */
  words?: Partial<TaskWordLists>;
  /**
   * WordNet's hyponyms of the categories and its real words (see WordnetLexicon); the shipped one by default,
   * null for none (the encoder and the phrasing table alone).
   */
  lexicon?: WordnetLexicon | null;
}

/**
 * Task text → the COCO categories it selects, its colour, or "none". Each part of a task (one per conjunct,
 * instruction and colour words removed, misspellings corrected, WordNet's kinds of a category named by the
 * category) is embedded and compared with every category and group phrasing and every stuff anchor; the
 * nearest phrasing wins when it beats the nearest anchor by `noneMargin`, unless WordNet names the part a
 * thing of no COCO category. The phrasings are embedded once, in `create`.
 */
export class TaskGrounder {
  readonly noneMargin: number;
  readonly parser: TaskParser;
  /** GROUNDING_VERSION for default options; differs when tables, word lists, margin or lexicon differ. */
  readonly version: string;

  private constructor(
    private readonly encoder: TextEncoder,
    readonly table: PhrasingTable,
    private readonly phrasingVectors: readonly Float32Array[],
    private readonly anchorVectors: readonly Float32Array[],
    options: TaskGrounderOptions,
  ) {
    this.noneMargin = options.noneMargin ?? NONE_MARGIN;
    if (!Number.isFinite(this.noneMargin))
      throw new RangeError(`noneMargin must be a finite number, got ${options.noneMargin}`);
    const lexicon = options.lexicon === undefined ? WordnetLexicon.shipped() : (options.lexicon ?? undefined);
    this.parser = new TaskParser(table, options.words, lexicon);
    this.version = groundingVersion(table, this.parser.words, this.noneMargin, lexicon?.sha256);
  }

  /**
   * Builds the phrasing table and its vectors: the shipped ones when they match the encoder and the table
   * (loadGroundingVectors), else embedded with `encoder` (one batched call, ~1.5 s).
   */
  static async create(encoder: TextEncoder, options: TaskGrounderOptions = {}): Promise<TaskGrounder> {
    const table = buildPhrasingTable(options);
    const texts = phrasingTexts(table);
    const vectors =
      (options.precomputed !== false ? loadGroundingVectors(encoder.id, texts) : undefined) ??
      (await encoder.embed(texts));
    const split = table.phrasings.length;
    return new TaskGrounder(encoder, table, vectors.slice(0, split), vectors.slice(split), options);
  }

  async ground(task: string): Promise<Grounding> {
    return (await this.explain([task]))[0].grounding;
  }

  /** Grounds many tasks with one batched encoder call; throws TaskTextEmptyError before embedding anything. */
  async groundMany(tasks: string[]): Promise<Grounding[]> {
    return (await this.explain(tasks)).map((explanation) => explanation.grounding);
  }

  /** `groundMany` with its working: every part's nearest phrasing, nearest anchor and margin. */
  async explain(tasks: string[]): Promise<GroundingExplanation[]> {
    const parsed = tasks.map((task, i) => this.parser.parse(task, `tasks[${i}]`));
    const texts = [...new Set(parsed.flatMap((p) => p.parts))];
    const vectors = texts.length > 0 ? await this.encoder.embed(texts) : [];
    const outside = new Set(parsed.flatMap((p) => p.outside));
    const matches = new Map(texts.map((text, i) => [text, this.match(text, vectors[i], outside.has(text))]));
    return parsed.map((p) =>
      this.combine(
        p,
        p.parts.map((part) => matches.get(part)!),
      ),
    );
  }

  private match(text: string, vector: Float32Array, outside: boolean): PartMatch {
    const best = nearest(vector, this.phrasingVectors);
    const anchor = nearest(vector, this.anchorVectors);
    const phrasing = this.table.phrasings[best.index];
    const margin = best.score - anchor.score;
    return {
      text,
      phrasing: phrasing.text,
      score: best.score,
      anchor: this.table.anchors[anchor.index],
      anchorScore: anchor.score,
      margin,
      outside,
      grounded: !outside && margin >= this.noneMargin,
      categories: phrasing.categories,
    };
  }

  private combine(parsed: ParsedTask, parts: PartMatch[]): GroundingExplanation {
    // A category named by several parts keeps its best score.
    const scores = new Map<number, number>();
    for (const part of parts) {
      if (!part.grounded) continue;
      for (const index of part.categories) scores.set(index, Math.max(scores.get(index) ?? -1, part.score));
    }
    const categories: GroundedCategory[] = [...scores]
      .sort(([a, sa], [b, sb]) => sb - sa || a - b)
      .map(([index, score]) => ({
        id: this.table.categories[index].id,
        name: this.table.categories[index].name,
        score: Math.round(score * 1e4) / 1e4,
      }));
    const grounding: Grounding = {
      task: parsed.task,
      grounded: categories.length > 0,
      categories,
      colour: parsed.colour,
    };
    return { grounding, parts, corrections: parsed.corrections };
  }
}

function nearest(
  vector: Float32Array,
  candidates: readonly Float32Array[],
): { index: number; score: number } {
  let index = -1;
  let score = Number.NEGATIVE_INFINITY;
  candidates.forEach((candidate, i) => {
    // Encoder vectors are unit length, so the dot product is the cosine similarity.
    let dot = 0;
    for (let k = 0; k < vector.length; k++) dot += vector[k] * candidate[k];
    if (dot > score) {
      score = dot;
      index = i;
    }
  });
  return { index, score };
}

/** The texts a grounder embeds for its table, in order: the phrasings, then the stuff anchors. */
export function phrasingTexts(table: PhrasingTable): string[] {
  return [...table.phrasings.map((phrasing) => phrasing.text), ...table.anchors];
}
