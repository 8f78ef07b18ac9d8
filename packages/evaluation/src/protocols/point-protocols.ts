import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTempFiles, tempPathFor } from '@tasam/atomic-file';
import type { TaskSegmenter } from '@tasam/task-segmentation';
import type { EvalSelection } from '../eval-selection';
import { evaluateOnCoco, type MiouSummary } from './coco-evaluation';
import { writeCocoView } from './coco-view';

/** Plain SAM vs tasam mIoU of one point protocol, as mergeable sums. */
export interface MiouPair {
  plain: MiouSummary;
  tasam: MiouSummary;
}

/** Raw results of the click and category protocols for one shard. */
export interface PointProtocolsPart {
  click: MiouPair;
  category: MiouPair;
  /** Ground-truth box of each instance → mask 0, task "segment all {category}" (absent in older parts). */
  box?: MiouPair;
  /** Wall time per image id (embedding, one trunk run for every prompt of the image, heads, IoU). */
  imageMs: Record<string, number>;
}

const VIEW_PREFIX = 'tasam-eval-view';

/**
 * The click, category and box protocols, run by `evaluateOnCoco` (coco-evaluation.ts, which defines them:
 * click = the center-most interior point of every non-crowd instance, task "segment the {category}", best of
 * masks 1-3 by predicted IoU; category = union mask per (image, category present), 3 positive and 2 negative
 * seeded points, task "segment all {categories}", mask 0; box = every non-crowd instance's ground-truth box,
 * task "segment all {category}", mask 0). One trunk run per image serves plain SAM and tasam.
 */
export async function runPointProtocols(
  selection: EvalSelection,
  segmenter: TaskSegmenter,
  options: { seed: number; onImage?: (imageId: number, ms: number) => void },
): Promise<PointProtocolsPart> {
  // Named like an atomic writer's temporary file, so the next run removes it when this process is killed.
  removeStaleTempFiles(tmpdir(), { prefix: VIEW_PREFIX });
  const dir = tempPathFor(join(tmpdir(), VIEW_PREFIX));
  await mkdir(dir);
  try {
    await writeCocoView(selection, dir);
    // evaluateOnCoco visits images by id; file-name order is the same for COCO names, but map by id anyway.
    const order = [...selection.images].sort((a, b) => a.id - b.id).map((i) => i.id);
    const imageMs: Record<string, number> = {};
    let last = performance.now();
    const result = await evaluateOnCoco({
      coco: dir,
      split: selection.split,
      runtime: segmenter.runtime,
      loraFor: (task) => segmenter.lora(task),
      seed: options.seed,
      onImage: (done) => {
        const now = performance.now();
        const id = order[done - 1];
        imageMs[id] = Math.round(now - last);
        last = now;
        options.onImage?.(id, imageMs[id]);
      },
    });
    return { click: result.oneClick, category: result.category, box: result.box, imageMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pools shard summaries: means weighted by their item counts, per bucket. */
export function mergeMiou(parts: readonly MiouSummary[]): MiouSummary {
  const keys = ['overall', 'small', 'medium', 'large'] as const;
  const out = { count: { overall: 0, small: 0, medium: 0, large: 0 } } as MiouSummary;
  for (const key of keys) {
    let sum = 0;
    let count = 0;
    for (const part of parts) {
      const n = part.count[key];
      if (n > 0) {
        sum += part[key] * n;
        count += n;
      }
    }
    out[key] = count > 0 ? sum / count : Number.NaN;
    out.count[key] = count;
  }
  return out;
}
