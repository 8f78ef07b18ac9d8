/**
 * Detector benchmark: model load, first inference, and the median time an image over repeated runs on the
 * test fixtures; with a COCO directory, detections for every image of a split written as a COCO bbox results
 * file, to score with the project's coco-eval.
 *
 *   pnpm --filter @tasam/detector bench [-- --runs 10]
 *   pnpm --filter @tasam/detector bench -- --coco DIR [--split val2017] [--out FILE] [--score-threshold 0.05]
 *   (or TASAM_COCO=DIR instead of --coco)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadImageRgb } from '@tasam/coco-data';
import * as tf from '@tensorflow/tfjs-core';
import { type CocoBboxResult, CocoDetector, detectionsToCocoResults } from '../src';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures');
const FIXTURE_FILES = ['elephants.jpg', 'cats.jpg'];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function fixtures(detector: CocoDetector, runs: number): Promise<void> {
  const paths = FIXTURE_FILES.map((file) => join(FIXTURES, file));
  const decoded = await Promise.all(paths.map((path) => loadImageRgb(path)));
  const fromFile: number[] = [];
  const fromPixels: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < paths.length; i++) {
      let t = performance.now();
      await detector.detect(paths[i]);
      fromFile.push(performance.now() - t);
      t = performance.now();
      await detector.detect(decoded[i]);
      fromPixels.push(performance.now() - t);
    }
  }
  console.log(`runs: ${runs} x ${paths.length} fixtures (${FIXTURE_FILES.join(', ')})`);
  console.log(`median per image, from the JPEG file: ${ms(median(fromFile))}`);
  console.log(`median per image, from decoded RGB pixels: ${ms(median(fromPixels))}`);
  console.log(
    `tfjs tensors before/after the runs: ${tensorsBefore}/${tf.memory().numTensors}; ` +
      `RSS ${mb(process.memoryUsage().rss)} (peak ${mb(process.resourceUsage().maxRSS * 1024)})`,
  );
}

interface CocoGt {
  images: Array<{ id: number; file_name: string }>;
}

async function coco(detector: CocoDetector, dir: string, split: string): Promise<void> {
  const gtPath = resolve(dir, 'annotations', `instances_${split}.json`);
  const gt = JSON.parse(readFileSync(gtPath, 'utf8')) as CocoGt;
  const images = [...gt.images].sort((a, b) => a.id - b.id);
  const scoreThreshold = Number(argument('score-threshold') ?? 0.05);
  const out = resolve(argument('out') ?? join('dist-bench', `centernet-${split}-bbox.json`));
  const results: CocoBboxResult[] = [];
  const times: number[] = [];
  const started = performance.now();
  for (const [n, image] of images.entries()) {
    const t = performance.now();
    const detections = await detector.detect(join(dir, split, image.file_name), { scoreThreshold });
    times.push(performance.now() - t);
    results.push(...detectionsToCocoResults(image.id, detections));
    if ((n + 1) % 25 === 0) process.stderr.write(`${n + 1}/${images.length} images\n`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results));
  console.log(
    `coco ${split}: ${images.length} images in ${ms(performance.now() - started)} (median ${ms(median(times))} an image), ` +
      `${results.length} detections with score >= ${scoreThreshold} (${(results.length / images.length).toFixed(1)} an image)`,
  );
  console.log(`results: ${out}`);
  console.log(
    `score it (from the repository root): pnpm tasam coco-eval --gt ${gtPath} --results ${out} --iou-type bbox`,
  );
}

async function main(): Promise<void> {
  const runs = Number(argument('runs') ?? 10);
  if (!Number.isSafeInteger(runs) || runs < 1)
    throw new Error(`--runs ${argument('runs')}: expected a positive integer`);
  let t = performance.now();
  const detector = await CocoDetector.load();
  console.log(`model: ${detector.id} from ${detector.modelDir}, tfjs backend ${tf.getBackend()}`);
  console.log(`model load (read, SHA-256 check, wasm start, graph build): ${ms(performance.now() - t)}`);
  t = performance.now();
  await detector.detect(join(FIXTURES, FIXTURE_FILES[0]));
  console.log(`first inference (${FIXTURE_FILES[0]}, from the file): ${ms(performance.now() - t)}`);
  const cocoDir = argument('coco') ?? process.env.TASAM_COCO;
  if (cocoDir) await coco(detector, cocoDir, argument('split') ?? 'val2017');
  else await fixtures(detector, runs);
  detector.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
