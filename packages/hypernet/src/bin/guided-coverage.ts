#!/usr/bin/env node
/**
 * How well the task scorer picks prompt points (TaskAutomaticOptions.guidedPoints): the share of a COCO split's
 * non-crowd instances that contain at least one of the k grid points the scorer rates likeliest for the task
 * "segment all {category}" of each category present, beside the whole grid and k random points (expected).
 * `node dist/bin/guided-coverage.js --coco DIR [--split val2017] [--images 60] [--grid 16] [--k 8,16,24,32]
 * [--checkpoint FILE]`. Uses the embedding cache ($TASAM_CACHE or ~/.cache/tasam).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CocoDataset, decodeMask, isCrowd, loadImageRgb, pluralize } from '@tasam/coco-data';
import { pointGrid } from '@tasam/sam-runtime';
import { loadTaskScorer } from '../checkpoint';
import { defaultCheckpointPath } from '../task-lora-generator';
import { pointPatchCoverage, pooledMaskFeatures } from '../task-mask-scorer';
import { openCachedModels } from './cached-models';

/** P(a given set of `count` positives out of `total` has at least one of k random picks). */
function randomHit(total: number, count: number, k: number): number {
  let miss = 1;
  for (let i = 0; i < k; i++) miss *= Math.max(0, total - count - i) / (total - i);
  return 1 - miss;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      coco: { type: 'string' },
      split: { type: 'string', default: 'val2017' },
      images: { type: 'string', default: '60' },
      grid: { type: 'string', default: '16' },
      k: { type: 'string', default: '8,16,24,32' },
      checkpoint: { type: 'string' },
    },
  });
  const coco = values.coco ?? process.env.TASAM_COCO;
  if (!coco) throw new Error('--coco DIR (or TASAM_COCO) is required');
  const checkpoint = values.checkpoint ?? defaultCheckpointPath();
  const scorer = await loadTaskScorer(checkpoint);
  if (!scorer) throw new Error(`${checkpoint}: has no task scorer`);
  const { runtime, encoder } = await openCachedModels();
  const dataset = await CocoDataset.fromFile(join(coco, 'annotations', `instances_${values.split}.json`));
  const n = Number(values.grid);
  const ks = (values.k as string).split(',').map(Number);
  const ids = dataset.images
    .map((i) => i.id)
    .sort((a, b) => a - b)
    .slice(0, Number(values.images));
  let instances = 0;
  let coarse = 0;
  const guided = new Map(ks.map((k) => [k, 0]));
  const random = new Map(ks.map((k) => [k, 0]));
  for (const id of ids) {
    const image = dataset.image(id)!;
    const annotations = dataset.annotationsOf(id).filter((a) => !isCrowd(a));
    if (annotations.length === 0) continue;
    const size = { width: image.width, height: image.height };
    const { embedding } = await runtime.embedImage(
      await loadImageRgb(join(coco, values.split as string, image.file_name)),
    );
    const points = pointGrid(n, size);
    const coarsePoints = pointGrid(8, size);
    const vectors = points.map((p) => {
      const features = pooledMaskFeatures(embedding, pointPatchCoverage(p.x, p.y, size));
      return features && scorer.maskVector(features);
    });
    for (const categoryId of new Set(annotations.map((a) => a.category_id))) {
      const [text] = await encoder.embed([`segment all ${pluralize(dataset.category(categoryId)!.name)}`]);
      const task = scorer.taskVector(text);
      const p = vectors.map((v) => (v ? scorer.probability(v, task) : -1));
      const order = [...p.keys()].sort((a, b) => p[b] - p[a] || a - b);
      for (const annotation of annotations.filter((a) => a.category_id === categoryId)) {
        const mask = decodeMask(dataset.annToRle(annotation));
        const on = (q: { x: number; y: number }) =>
          mask[Math.floor(q.y) * image.width + Math.floor(q.x)] === 1;
        const inside = points.map(on);
        instances++;
        if (coarsePoints.some(on)) coarse++;
        const count = inside.filter(Boolean).length;
        for (const k of ks) {
          if (order.slice(0, k).some((i) => inside[i])) guided.set(k, (guided.get(k) ?? 0) + 1);
          random.set(k, (random.get(k) ?? 0) + randomHit(points.length, count, k));
        }
      }
    }
  }
  const share = (x: number) => (x / Math.max(instances, 1)).toFixed(3);
  process.stdout.write(
    `${values.split}, ${ids.length} images, ${instances} instances: share containing a prompted point\n`,
  );
  process.stdout.write(`whole 8x8 grid (64 points): ${share(coarse)}\n`);
  for (const k of ks)
    process.stdout.write(
      `${k} of ${n}x${n} by the task scorer: ${share(guided.get(k) ?? 0)}   ${k} random: ${share(random.get(k) ?? 0)}\n`,
    );
  await runtime.dispose();
  await encoder.dispose();
}

main().catch((error) => {
  process.stderr.write(`guided-coverage: ${(error as Error).message}\n`);
  process.exit(1);
});
