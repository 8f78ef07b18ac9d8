/**
 * Detector benchmark: model load, first inference, and the median time an image over repeated runs on the
 * test fixtures; with a COCO directory, detections for every image of a split written as a COCO bbox results
 * file, to score with the project's coco-eval.
 *
 *   pnpm --filter @tasam/detector bench [-- --runs 10]
 *   pnpm --filter @tasam/detector bench -- --coco DIR [--split val2017] [--out FILE] [--score-threshold 0.05]
 *     [--augment none|flip] [--merge nms|wbf] [--nms-iou 0.5] [--fusion-iou 0.55]
 *   (or TASAM_COCO=DIR instead of --coco)
 *   pnpm --filter @tasam/detector bench -- --coco DIR --split train2017 --sweep OUTDIR
 *     runs every image once without and once with the flip (timing both) and writes one results file per
 *     merge variant (augment x NMS / weighted box fusion settings) to OUTDIR, plus OUTDIR/variants.json;
 *     for choosing the settings on a split other than the one reported.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadImageRgb } from '@tasam/coco-data';
import * as tf from '@tensorflow/tfjs-core';
import {
  type CocoBboxResult,
  CocoDetector,
  type Detection,
  type DetectOptions,
  detectionsToCocoResults,
  mergeDetections,
  nonMaxSuppression,
  resolveDetectOptions,
  weightedBoxFusion,
} from '../src';

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

/** detect options from --score-threshold, --nms-iou, --augment, --merge, --fusion-iou (checked by detect). */
function detectOptionsFromArguments(): DetectOptions {
  const options: Record<string, unknown> = {};
  const numbers: Array<[string, keyof DetectOptions]> = [
    ['score-threshold', 'scoreThreshold'],
    ['nms-iou', 'nmsIou'],
    ['fusion-iou', 'fusionIou'],
  ];
  for (const [flag, key] of numbers) {
    const value = argument(flag);
    if (value !== undefined) options[key] = Number(value);
  }
  for (const key of ['augment', 'merge'] as const) {
    const value = argument(key);
    if (value !== undefined) options[key] = value;
  }
  resolveDetectOptions(options); // a bad flag fails before the model runs
  return options;
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
  const options = detectOptionsFromArguments();
  const { scoreThreshold } = resolveDetectOptions(options);
  const out = resolve(argument('out') ?? join('dist-bench', `centernet-${split}-bbox.json`));
  const results: CocoBboxResult[] = [];
  const times: number[] = [];
  const started = performance.now();
  for (const [n, image] of images.entries()) {
    const t = performance.now();
    const detections = await detector.detect(join(dir, split, image.file_name), options);
    times.push(performance.now() - t);
    results.push(...detectionsToCocoResults(image.id, detections));
    if ((n + 1) % 25 === 0) process.stderr.write(`${n + 1}/${images.length} images\n`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results));
  console.log(
    `coco ${split} ${JSON.stringify(options)}: ${images.length} images in ${ms(performance.now() - started)} (median ${ms(median(times))} an image), ` +
      `${results.length} detections with score >= ${scoreThreshold} (${(results.length / images.length).toFixed(1)} an image)`,
  );
  console.log(`results: ${out}`);
  console.log(
    `score it (from the repository root): pnpm tasam coco-eval --gt ${gtPath} --results ${out} --iou-type bbox`,
  );
}

/** One way of turning the two passes of an image (plain, mirrored) into detections. */
interface Variant {
  name: string;
  augment: 'none' | 'flip';
  merge: (passes: Detection[][]) => Detection[];
}

const SCORE_THRESHOLD = 0.05;
const MAX_DETECTIONS = 100;

function sweepVariants(): Variant[] {
  const variants: Variant[] = [];
  const finish = (detections: Detection[]) =>
    detections.filter((d) => d.score >= SCORE_THRESHOLD).slice(0, MAX_DETECTIONS);
  for (const augment of ['none', 'flip'] as const) {
    const take = (passes: Detection[][]) => passes.slice(0, augment === 'flip' ? 2 : 1);
    // Union of the passes, per-class NMS (what `merge: 'nms'` does).
    for (const nmsIou of [0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8]) {
      const resolved = resolveDetectOptions({ augment, merge: 'nms', nmsIou });
      variants.push({
        name: `${augment}-nms${nmsIou}`,
        augment,
        merge: (p) => mergeDetections(take(p), resolved),
      });
    }
    // Weighted box fusion as in the paper: every box of every pass, clusters of any size.
    for (const fusionIou of [0.4, 0.5, 0.55, 0.6, 0.7, 0.8]) {
      variants.push({
        name: `${augment}-wbf${fusionIou}`,
        augment,
        merge: (p) => finish(weightedBoxFusion(take(p), { iouThreshold: fusionIou })),
      });
    }
    // `merge: 'wbf'` with its defaults (one pass: NMS at 0.8), through mergeDetections.
    const publicWbf = resolveDetectOptions({ augment, merge: 'wbf' });
    variants.push({
      name: `${augment}-merge-wbf`,
      augment,
      merge: (p) => mergeDetections(take(p), publicWbf),
    });
    if (augment === 'none') continue;
    // Tuned: per-pass NMS first (duplicates of one pass), at most one box of each pass in a cluster, and a
    // box missing from one pass counted as a fraction of the cluster's mean score.
    for (const preNms of [0, 0.5, 0.6, 0.7, 0.8, 0.9]) {
      for (const fusionIou of [0.5, 0.55, 0.6, 0.65, 0.7]) {
        for (const onePerPass of [false, true]) {
          for (const absentPassWeight of onePerPass ? [0, 0.25, 0.5] : [0]) {
            if (!preNms && !onePerPass) continue; // the paper's variant above
            const name =
              `${augment}-wbf${fusionIou}${preNms ? `-preNms${preNms}` : ''}` +
              `${onePerPass ? '-onePerPass' : ''}${absentPassWeight ? `-absent${absentPassWeight}` : ''}`;
            variants.push({
              name,
              augment,
              merge: (p) => {
                const passes = take(p).map((pass) => (preNms ? nonMaxSuppression(pass, preNms) : pass));
                return finish(
                  weightedBoxFusion(passes, { iouThreshold: fusionIou, onePerPass, absentPassWeight }),
                );
              },
            });
          }
        }
      }
    }
  }
  return variants;
}

/**
 * Every image run once plainly and once with the flip (both timed; the flip run's first pass must equal the
 * plain run), then every variant's results file from those passes: the model runs 3 times an image, not once
 * a variant. A variant's time an image is the plain or flip run's plus its own merging.
 */
async function sweep(detector: CocoDetector, dir: string, split: string, outDir: string): Promise<void> {
  const gtPath = resolve(dir, 'annotations', `instances_${split}.json`);
  const gt = JSON.parse(readFileSync(gtPath, 'utf8')) as CocoGt;
  const images = [...gt.images].sort((a, b) => a.id - b.id);
  const variants = sweepVariants();
  const results = new Map(variants.map((v) => [v.name, [] as CocoBboxResult[]]));
  const times = new Map(variants.map((v) => [v.name, [] as number[]]));
  const started = performance.now();
  for (const [n, image] of images.entries()) {
    const path = join(dir, split, image.file_name);
    let t = performance.now();
    const plain = await detector.detectPasses(path, { scoreThreshold: 0 });
    const plainMs = performance.now() - t;
    t = performance.now();
    const flipped = await detector.detectPasses(path, { scoreThreshold: 0, augment: 'flip' });
    const flipMs = performance.now() - t;
    if (JSON.stringify(flipped[0]) !== JSON.stringify(plain[0])) {
      throw new Error(`${path}: the flip run's first pass differs from the plain run`);
    }
    for (const variant of variants) {
      t = performance.now();
      const detections = variant.merge(flipped);
      const mergeMs = performance.now() - t;
      times.get(variant.name)!.push((variant.augment === 'flip' ? flipMs : plainMs) + mergeMs);
      results.get(variant.name)!.push(...detectionsToCocoResults(image.id, detections));
    }
    if ((n + 1) % 25 === 0) process.stderr.write(`${n + 1}/${images.length} images\n`);
  }
  mkdirSync(outDir, { recursive: true });
  const summary = variants.map((variant) => {
    const file = join(outDir, `${variant.name}.json`);
    writeFileSync(file, JSON.stringify(results.get(variant.name)));
    return {
      variant: variant.name,
      file,
      detectionsPerImage: results.get(variant.name)!.length / images.length,
      medianMs: median(times.get(variant.name)!),
    };
  });
  writeFileSync(join(outDir, 'variants.json'), JSON.stringify(summary, null, 1));
  console.log(
    `sweep ${split}: ${images.length} images, ${variants.length} variants in ${ms(performance.now() - started)}; ` +
      `results and ${join(outDir, 'variants.json')}`,
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
  const sweepDir = argument('sweep');
  if (sweepDir && !cocoDir) throw new Error('--sweep needs --coco DIR (or TASAM_COCO)');
  if (cocoDir && sweepDir) await sweep(detector, cocoDir, argument('split') ?? 'val2017', resolve(sweepDir));
  else if (cocoDir) await coco(detector, cocoDir, argument('split') ?? 'val2017');
  else await fixtures(detector, runs);
  detector.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
