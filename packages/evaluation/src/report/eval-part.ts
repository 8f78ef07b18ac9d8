import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EvalInputError } from '../errors/eval-input-error';
import type { GroundedImageResult } from '../protocols/grounded-protocol';
import type { PointProtocolsPart } from '../protocols/point-protocols';
import type { TextImageResult } from '../protocols/text-protocol';
import type { Shard } from '../shard';

export type Protocol = 'click' | 'category' | 'box' | 'text' | 'grounded';
export const PROTOCOLS: readonly Protocol[] = ['click', 'category', 'box', 'text', 'grounded'];

/** The settings every shard of one evaluation must share (checked by the merge). */
export interface EvalSettings {
  coco: string;
  split: string;
  protocols: Protocol[];
  seed: number;
  grid: number;
  scoreThreshold: number;
  /** tasam's threshold in the text protocol (null: the segmenter's default). */
  taskScoreThreshold: number | null;
  /** tasam's relative threshold in the text protocol (null: the segmenter's default). */
  taskRelativeThreshold: number | null;
  checkpoint: string;
  checkpointId: string;
  limit: number | null;
  categoryIds: number[];
  /**
   * Grounded protocol: the detector's id and passes, e.g. 'centernet-...+nanodet-...' or with '+tiles' (absent in
   * parts written before it was recorded).
   */
  detector?: string;
}

/** One shard's raw results: everything the metrics need, nothing computed across images yet. */
export interface EvalPart {
  format: 'tasam-eval-part';
  version: 1;
  settings: EvalSettings;
  shard: Shard;
  /** Every image of the evaluation (all shards), in slicing order. */
  allImageIds: number[];
  /** This shard's images. */
  imageIds: number[];
  point?: PointProtocolsPart;
  text?: TextImageResult[];
  grounded?: GroundedImageResult[];
  wallMs: number;
}

export const PART_FILE = /^eval-shard-\d+-of-\d+\.json$/;

/** Reads every shard file of a directory and checks they belong together and cover the evaluation. */
export async function readParts(dir: string): Promise<EvalPart[]> {
  const names = (
    await readdir(dir).catch((cause) => {
      throw new EvalInputError(dir, 'cannot read the shard directory', { cause });
    })
  )
    .filter((n) => PART_FILE.test(n))
    .sort();
  if (names.length === 0) throw new EvalInputError(dir, 'no eval-shard-*.json files to merge');
  const parts: EvalPart[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let part: EvalPart;
    try {
      part = JSON.parse(await readFile(path, 'utf8'));
    } catch (cause) {
      throw new EvalInputError(path, 'not a readable JSON shard file', { cause });
    }
    if (part?.format !== 'tasam-eval-part' || part.version !== 1)
      throw new EvalInputError(path, 'not a tasam eval shard (format tasam-eval-part, version 1)');
    parts.push(part);
  }
  const first = parts[0];
  const count = first.shard.count;
  const key = (p: EvalPart) => JSON.stringify({ ...p.settings, all: p.allImageIds });
  const seen = new Set<number>();
  for (const [i, part] of parts.entries()) {
    if (part.shard.count !== count || key(part) !== key(first))
      throw new EvalInputError(join(dir, names[i]), `has other settings or images than ${names[0]}`);
    if (seen.has(part.shard.index))
      throw new EvalInputError(join(dir, names[i]), `duplicate shard ${part.shard.index}`);
    seen.add(part.shard.index);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new EvalInputError(
      dir,
      `missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`,
    );
  return parts.sort((a, b) => a.shard.index - b.shard.index);
}
