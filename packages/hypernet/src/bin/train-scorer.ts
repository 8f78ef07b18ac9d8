#!/usr/bin/env node
/**
 * Trains the task scorer on a COCO split and stores it in a hypernetwork checkpoint:
 * `node dist/bin/train-scorer.js --coco DIR --checkpoint IN --out OUT [--split train2017] [--val-split val2017]
 * [--iterations 300] [--seed 1] [--f16]`. Uses the embedding cache ($TASAM_CACHE or ~/.cache/tasam; images
 * not in it are embedded, ~3 s each). Prints train and validation metrics; OUT is written atomically.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadHypernet, saveHypernet } from '../checkpoint';
import { useBackend } from '../tf';
import {
  collectScorerExamples,
  embedCategoryPhrasings,
  scorerMetrics,
  trainTaskScorer,
} from '../train-task-scorer';
import { openCachedModels } from './cached-models';

const round = (m: object) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isInteger(v) ? v : Number(v.toFixed(3))]));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      coco: { type: 'string' },
      split: { type: 'string', default: 'train2017' },
      'val-split': { type: 'string', default: 'val2017' },
      checkpoint: { type: 'string' },
      out: { type: 'string' },
      iterations: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      f16: { type: 'boolean', default: false },
    },
  });
  const coco = values.coco ?? process.env.TASAM_COCO;
  if (!coco || !values.checkpoint || !values.out)
    throw new Error(
      'usage: train-scorer --coco DIR --checkpoint IN --out OUT [--split S] [--val-split S|none]',
    );
  await useBackend();
  const { net, metadata } = await loadHypernet(values.checkpoint);
  const { runtime, encoder } = await openCachedModels();
  const started = Date.now();
  const { scorer, data, phrasings } = await trainTaskScorer({
    coco: resolve(coco),
    split: values.split as string,
    runtime,
    encoder,
    seed: Number(values.seed),
    iterations: Number(values.iterations),
    onImage: (done, total) => {
      if (done % 50 === 0 || done === total)
        process.stderr.write(`pooled masks of ${done}/${total} images\n`);
    },
    onFit: (done, total, loss) => {
      if (done % 50 === 0 || done === total)
        process.stderr.write(`fit ${done}/${total} loss ${loss.toFixed(3)}\n`);
    },
  });
  const summary: Record<string, unknown> = {
    split: values.split,
    examples: data.examples.length,
    seconds: Math.round((Date.now() - started) / 1000),
    train: round(scorerMetrics(scorer, data, phrasings)),
  };
  const valSplit = values['val-split'] as string;
  if (valSplit !== 'none' && existsSync(join(coco, 'annotations', `instances_${valSplit}.json`))) {
    const val = await collectScorerExamples({ coco: resolve(coco), split: valSplit, runtime, seed: 2 });
    const valPhrasings = await embedCategoryPhrasings(val.dataset, val.categoryIds, encoder);
    summary.validation = { split: valSplit, ...round(scorerMetrics(scorer, val, valPhrasings)) };
  }
  mkdirSync(dirname(resolve(values.out)), { recursive: true });
  await saveHypernet(values.out, net, {
    dtype: values.f16 ? 'F16' : 'F32',
    metadata: { ...metadata, scorer_training: JSON.stringify(summary) },
    scorer,
  });
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  await runtime.dispose();
  await encoder.dispose();
}

main().catch((error) => {
  process.stderr.write(`train-scorer: ${(error as Error).message}\n`);
  process.exit(1);
});
