#!/usr/bin/env node
/**
 * Plain SAM vs tasam on a COCO split: `node dist/bin/evaluate.js --coco DIR --split val2017
 * [--checkpoint FILE] [--skip-images N] [--max-images N] [--seed S] [--out result.json]`. Uses the embedding cache of
 * `tasam embed` / `tasam train` ($TASAM_CACHE or ~/.cache/tasam).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TaskLoraGenerator } from '@tasam/hypernet';
import { evaluateOnCoco } from '../protocols/coco-evaluation';
import { openCachedModels } from './cached-models';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      coco: { type: 'string' },
      split: { type: 'string', default: 'val2017' },
      checkpoint: { type: 'string' },
      'max-images': { type: 'string' },
      'skip-images': { type: 'string' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string' },
    },
  });
  const coco = values.coco ?? process.env.TASAM_COCO;
  if (!coco) throw new Error('--coco DIR (or TASAM_COCO) is required');
  const { runtime, encoder } = await openCachedModels();
  const generator = await TaskLoraGenerator.load({ checkpoint: values.checkpoint, encoder });
  const started = Date.now();
  const result = await evaluateOnCoco({
    coco: resolve(coco),
    split: values.split as string,
    runtime,
    loraFor: (task) => generator.generate(task),
    seed: Number(values.seed),
    skipImages: values['skip-images'] ? Number(values['skip-images']) : undefined,
    maxImages: values['max-images'] ? Number(values['max-images']) : undefined,
    onImage: (done, total) => {
      if (done % 10 === 0 || done === total)
        process.stderr.write(
          `evaluated ${done}/${total} images (${Math.round((Date.now() - started) / 1000)}s)\n`,
        );
    },
  });
  const text = JSON.stringify({ checkpoint: values.checkpoint ?? 'default', ...result }, null, 2);
  if (values.out) writeFileSync(values.out, `${text}\n`);
  process.stdout.write(`${text}\n`);
  await runtime.dispose();
  await encoder.dispose();
}

main().catch((error) => {
  process.stderr.write(`evaluate: ${(error as Error).message}\n`);
  process.exit(1);
});
