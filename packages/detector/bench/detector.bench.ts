/**
 * Detector benchmark: model load, first inference, and the median time an image over repeated runs on the
 * test fixtures; with a COCO directory, detections for every image of a split written as a COCO bbox results
 * file, to score with the project's coco-eval.
 *
 *   pnpm --filter @tasam/detector bench [-- --runs 10]
 *     times CenterNet alone, NanoDet alone, the ensemble on one thread and in worker threads (the default on
 *     more than one core) and the ensemble with the flip, and with tiles, interleaved
 *     in one run (medians and ratios); with `--yolo-dir DIR`, also each YOLOv8 export found there (yours:
 *     AGPL-3.0, not shipped; README "YOLOv8")
 *   pnpm --filter @tasam/detector bench -- --coco DIR [--split val2017] [--out FILE] [--models centernet,nanodet]
 *     [--model-dir DIR] (e.g. --models yolov8s --model-dir DIR for a YOLOv8 you supply)
 *     [--score-threshold 0.05] [--augment none|flip] [--tiles] [--merge nms|wbf] [--nms-iou 0.5] [--fusion-iou 0.6]
 *   (or TASAM_COCO=DIR instead of --coco)
 *   pnpm --filter @tasam/detector bench -- --coco DIR --split train2017 --sweep OUTDIR
 *     runs both models on every image, plain and mirrored, and writes one results file per variant (model
 *     set x augment x NMS / weighted box fusion settings) to OUTDIR, plus OUTDIR/variants.json; for choosing
 *     the settings on a split other than the one reported.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadImageRgb } from '@tasam/coco-data';
import * as tf from '@tensorflow/tfjs-core';
import {
  type CocoBboxResult,
  CocoDetector,
  type Detection,
  type DetectOptions,
  type DetectorModelName,
  detectionsToCocoResults,
  mergeDetections,
  resolveDetectOptions,
  WBF_CANDIDATE_FLOOR,
  YOLOV8_FILES,
  YOLOV8_MODELS,
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

/** detect options from --score-threshold, --nms-iou, --augment, --merge, --fusion-iou, --tiles (checked by detect). */
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
  if (process.argv.includes('--tiles')) options.tiles = true;
  resolveDetectOptions(options, 2); // a bad flag fails before the model runs
  return options;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** The configurations the fixture bench times side by side, in one run. */
const CONFIGURATIONS: Array<{
  name: string;
  models: DetectorModelName[];
  parallel: boolean;
  options: DetectOptions;
  modelDir?: string;
}> = [
  { name: 'centernet', models: ['centernet'], parallel: false, options: {} },
  { name: 'nanodet', models: ['nanodet'], parallel: false, options: {} },
  { name: 'ensemble, one thread', models: ['centernet', 'nanodet'], parallel: false, options: {} },
  { name: 'ensemble, worker threads', models: ['centernet', 'nanodet'], parallel: true, options: {} },
  {
    name: 'ensemble + flip, worker threads',
    models: ['centernet', 'nanodet'],
    parallel: true,
    options: { augment: 'flip' },
  },
  {
    name: 'ensemble + tiles, worker threads',
    models: ['centernet', 'nanodet'],
    parallel: true,
    options: { tiles: true },
  },
];

/** Load, first inference and median time an image of each configuration, runs interleaved. */
async function fixtures(runs: number): Promise<void> {
  const yoloDir = argument('yolo-dir');
  if (yoloDir)
    for (const name of YOLOV8_MODELS)
      if (existsSync(join(yoloDir, YOLOV8_FILES[name].file)))
        CONFIGURATIONS.push({ name, models: [name], parallel: false, options: {}, modelDir: yoloDir });
  const paths = FIXTURE_FILES.map((file) => join(FIXTURES, file));
  const decoded = await Promise.all(paths.map((path) => loadImageRgb(path)));
  const detectors: CocoDetector[] = [];
  for (const configuration of CONFIGURATIONS) {
    let t = performance.now();
    const detector = await CocoDetector.load({
      models: configuration.models,
      parallel: configuration.parallel,
      modelDir: configuration.modelDir,
    });
    const loadMs = performance.now() - t;
    t = performance.now();
    await detector.detect(paths[0], configuration.options);
    console.log(
      `${configuration.name}: ${detector.id}, load ${ms(loadMs)}, first inference ${ms(performance.now() - t)}`,
    );
    detectors.push(detector);
  }
  const fromFile = CONFIGURATIONS.map(() => [] as number[]);
  const fromPixels = CONFIGURATIONS.map(() => [] as number[]);
  const tensorsBefore = tf.memory().numTensors;
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < paths.length; i++) {
      for (const [c, configuration] of CONFIGURATIONS.entries()) {
        let t = performance.now();
        await detectors[c].detect(paths[i], configuration.options);
        fromFile[c].push(performance.now() - t);
        t = performance.now();
        await detectors[c].detect(decoded[i], configuration.options);
        fromPixels[c].push(performance.now() - t);
      }
    }
  }
  console.log(
    `runs: ${runs} x ${paths.length} fixtures (${FIXTURE_FILES.join(', ')}), configurations interleaved`,
  );
  console.log('| configuration | median an image, from the JPEG | from decoded RGB | vs centernet |');
  console.log('|---|---|---|---|');
  CONFIGURATIONS.forEach((configuration, c) => {
    console.log(
      `| ${configuration.name} | ${ms(median(fromFile[c]))} | ${ms(median(fromPixels[c]))} | ` +
        `${(median(fromPixels[c]) / median(fromPixels[0])).toFixed(2)}x |`,
    );
  });
  console.log(
    `tfjs tensors before/after the runs: ${tensorsBefore}/${tf.memory().numTensors}; ` +
      `RSS ${mb(process.memoryUsage().rss)} (peak ${mb(process.resourceUsage().maxRSS * 1024)})`,
  );
  for (const detector of detectors) detector.dispose();
}

interface CocoGt {
  images: Array<{ id: number; file_name: string }>;
}

async function coco(detector: CocoDetector, dir: string, split: string): Promise<void> {
  const gtPath = resolve(dir, 'annotations', `instances_${split}.json`);
  const gt = JSON.parse(readFileSync(gtPath, 'utf8')) as CocoGt;
  const images = [...gt.images].sort((a, b) => a.id - b.id);
  const options = detectOptionsFromArguments();
  const { scoreThreshold } = resolveDetectOptions(options, detector.models.length);
  const out = resolve(
    argument('out') ?? join('dist-bench', `${detector.models.join('+')}-${split}-bbox.json`),
  );
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

/** One way of turning the passes of an image into detections. */
interface Variant {
  name: string;
  merge: (passes: PassSet) => Detection[];
}

/** The four passes the sweep runs on every image. */
interface PassSet {
  centernet: Detection[];
  centernetFlip: Detection[];
  nanodet: Detection[];
  nanodetFlip: Detection[];
}

function sweepVariants(): Variant[] {
  const variants: Variant[] = [];
  const sets: Array<[string, (p: PassSet) => Detection[][]]> = [
    ['centernet', (p) => [p.centernet]],
    ['centernet-flip', (p) => [p.centernet, p.centernetFlip]],
    ['nanodet', (p) => [p.nanodet]],
    ['ensemble', (p) => [p.centernet, p.nanodet]],
    ['ensemble-flip', (p) => [p.centernet, p.centernetFlip, p.nanodet, p.nanodetFlip]],
  ];
  for (const [setName, take] of sets) {
    // Union of the passes, per-class NMS (what `merge: 'nms'` does; with one pass, the single model).
    for (const nmsIou of [0.5, 0.6]) {
      const options = resolveDetectOptions({ merge: 'nms', nmsIou });
      variants.push({ name: `${setName}-nms${nmsIou}`, merge: (p) => mergeDetections(take(p), options) });
    }
    if (setName === 'centernet' || setName === 'nanodet') continue;
    // `merge: 'wbf'`: per-pass NMS, at most one box of each pass a cluster.
    for (const nmsIou of [0.5, 0.6, 0.8]) {
      for (const fusionIou of [0.55, 0.6, 0.65, 0.7]) {
        const options = resolveDetectOptions({ merge: 'wbf', nmsIou, fusionIou });
        variants.push({
          name: `${setName}-wbf${fusionIou}-nms${nmsIou}`,
          merge: (p) => mergeDetections(take(p), options),
        });
      }
    }
  }
  return variants;
}

/**
 * Every image run once through both models, plain and mirrored (candidates down to WBF_CANDIDATE_FLOOR), then
 * every variant's results file from those passes: the models run once an image, not once a variant. For
 * choosing the merge settings on a split other than the one reported.
 */
async function sweep(detector: CocoDetector, dir: string, split: string, outDir: string): Promise<void> {
  if (detector.models.join(',') !== 'centernet,nanodet') {
    throw new Error('--sweep runs both models: leave --models at its default');
  }
  const gtPath = resolve(dir, 'annotations', `instances_${split}.json`);
  const gt = JSON.parse(readFileSync(gtPath, 'utf8')) as CocoGt;
  const images = [...gt.images].sort((a, b) => a.id - b.id);
  const variants = sweepVariants();
  const results = new Map(variants.map((v) => [v.name, [] as CocoBboxResult[]]));
  const started = performance.now();
  for (const [n, image] of images.entries()) {
    const path = join(dir, split, image.file_name);
    const [centernet, centernetFlip, nanodet, nanodetFlip] = await detector.detectPasses(path, {
      scoreThreshold: WBF_CANDIDATE_FLOOR,
      augment: 'flip',
    });
    const passes: PassSet = { centernet, centernetFlip, nanodet, nanodetFlip };
    for (const variant of variants) {
      results.get(variant.name)!.push(...detectionsToCocoResults(image.id, variant.merge(passes)));
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
    };
  });
  writeFileSync(join(outDir, 'variants.json'), JSON.stringify(summary, null, 1));
  console.log(
    `sweep ${split}: ${images.length} images, ${variants.length} variants in ${ms(performance.now() - started)}; ` +
      `results and ${join(outDir, 'variants.json')}`,
  );
}

/** --models centernet,nanodet (default: the package's default set). */
function modelsFromArguments(): DetectorModelName[] | undefined {
  const value = argument('models');
  return value === undefined ? undefined : (value.split(',') as DetectorModelName[]);
}

async function main(): Promise<void> {
  const runs = Number(argument('runs') ?? 10);
  if (!Number.isSafeInteger(runs) || runs < 1)
    throw new Error(`--runs ${argument('runs')}: expected a positive integer`);
  const cocoDir = argument('coco') ?? process.env.TASAM_COCO;
  const sweepDir = argument('sweep');
  if (sweepDir && !cocoDir) throw new Error('--sweep needs --coco DIR (or TASAM_COCO)');
  if (!cocoDir) {
    await fixtures(runs);
    return;
  }
  const t = performance.now();
  const detector = await CocoDetector.load({
    models: modelsFromArguments(),
    modelDir: argument('model-dir'),
  });
  console.log(
    `model: ${detector.id} from ${detector.modelDir}, tfjs backend ${tf.getBackend()}, load ${ms(performance.now() - t)}`,
  );
  if (sweepDir) await sweep(detector, cocoDir, argument('split') ?? 'val2017', resolve(sweepDir));
  else await coco(detector, cocoDir, argument('split') ?? 'val2017');
  detector.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
