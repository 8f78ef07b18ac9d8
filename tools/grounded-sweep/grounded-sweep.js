#!/usr/bin/env node
// How grounded task mode turns detected boxes into ranked instances, swept offline: which score and which mask
// NMS give the best segm AP. Two steps:
//
//   node tools/grounded-sweep/grounded-sweep.js collect --split train2017 --out runs/sweep-train.jsonl
//       [--coco DIR] [--limit N] [--augment flip] [--tiles] [--box-scale S] [--present-only]
//       [--mask-threshold T] [--detector-threshold D] [--checkpoint FILE] [--detections FILE] [--task-weight W]
//   node tools/grounded-sweep/grounded-sweep.js annotate --split train2017 --in runs/sweep-train.jsonl
//       --out runs/sweep-train-p.jsonl [--coco DIR]
//   node tools/grounded-sweep/grounded-sweep.js score --split train2017 --in runs/sweep-train.jsonl
//       [--coco DIR] [--variants default,det,...]
//
// `collect` runs the grounded protocol of `tasam eval` (every category a task "segment all {category}", the
// default detector at 0.05, each box once through the trunk, plain SAM's heads and the task's LoRA heads)
// but keeps every box's mask before any score threshold or mask NMS, with what a score could use: the
// detector's score, SAM's predicted IoU, the stability score, the box. One JSON line an image, appended as
// each image finishes, so an interrupted run resumes where it stopped (images already in the file are skipped).
// `score` then ranks and suppresses those masks by each variant and runs COCOeval (segm) for the referring
// setting (tasks for the categories present) and the detection setting (all 80), without SAM or the detector;
// a variant may also read the masks of the image's other categories (det*iou*xratio).
// `--box-scale S` prompts SAM with each detected box scaled by S about its centre (GroundedOptions.boxScale;
// default: the segmenter's); `--present-only` asks only the image's present categories (the referring
// setting, about 5x fewer boxes; its "detection" figures are then the referring ones); `--mask-threshold T`
// thresholds SAM's mask logits at T instead of 0; `--detector-threshold D` prompts every detection scoring at
// least D (GroundedOptions.detectorThreshold; default 0.05); `--checkpoint FILE` generates the task LoRAs with
// another hypernetwork checkpoint than the shipped one; `--detections FILE` prompts SAM with the boxes of a COCO
// bbox results file (any detector's, e.g. `pnpm --filter @tasam/detector bench -- --coco DIR --out FILE`) instead of running the shipped detector;
// `--task-weight W` makes the task masks (1 - W) x plain SAM's logits + W x the task heads' (GroundedOptions.taskWeight).
// `annotate` adds to every recorded mask the checkpoint's task scorer's view of it (`p`: P(mask is the task's
// category), `rel`: p against the scorer's best-guess category), from the image's cached SAM embedding, for
// the score variants that use them.
// Choose on train2017, then score val2017 once. Built packages are required (`pnpm build`).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..', '..');
const pkg = (name) => require(path.join(root, 'packages', name, 'dist'));
const { values: opts, positionals } = parseArgs({
  options: {
    coco: { type: 'string', default: process.env.TASAM_COCO ?? path.join(root, '..', 'shared', 'coco-mini') },
    split: { type: 'string', default: 'train2017' },
    out: { type: 'string' },
    in: { type: 'string' },
    limit: { type: 'string' },
    variants: { type: 'string' },
    augment: { type: 'string', default: 'none' },
    tiles: { type: 'boolean', default: false },
    'box-scale': { type: 'string' },
    'present-only': { type: 'boolean', default: false },
    'mask-threshold': { type: 'string', default: '0' },
    'detector-threshold': { type: 'string' },
    checkpoint: { type: 'string' },
    detections: { type: 'string' },
    'task-weight': { type: 'string' },
  },
  allowPositionals: true,
});
const usage = () => {
  console.error(
    'usage: grounded-sweep.js collect --split S --out FILE | annotate --split S --in FILE --out FILE2 | ' +
      'score --split S --in FILE [--variants a,b]',
  );
  process.exit(2);
};

const cacheRoot = process.env.TASAM_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'tasam');

/**
 * A detector that answers from a COCO bbox results file: the boxes of the image `imageId` (set before each
 * image), of the categories asked and scoring at least the threshold, best first, as CocoDetector gives them.
 */
function resultsDetector(file) {
  const { COCO_CATEGORIES } = pkg('coco-data');
  const names = new Map(COCO_CATEGORIES.map((c) => [c.id, c.name]));
  const byImage = new Map();
  for (const r of JSON.parse(fs.readFileSync(file, 'utf8'))) {
    if (!byImage.has(r.image_id)) byImage.set(r.image_id, []);
    const [x, y, w, h] = r.bbox;
    byImage.get(r.image_id).push({
      box: [x, y, x + w, y + h],
      categoryId: r.category_id,
      category: names.get(r.category_id),
      score: r.score,
    });
  }
  return {
    imageId: undefined,
    async detect(_image, options) {
      const ids = options.categoryIds ? new Set(options.categoryIds) : undefined;
      return (byImage.get(this.imageId) ?? [])
        .filter((d) => (!ids || ids.has(d.categoryId)) && d.score >= (options.scoreThreshold ?? 0.05))
        .sort((a, b) => b.score - a.score);
    },
    dispose() {},
  };
}

async function collect() {
  if (!opts.out) usage();
  const { selectEval, presentCategories, textTask, wholeShard } = pkg('evaluation');
  const { SamRuntime } = pkg('sam-runtime');
  const { CocoDetector } = pkg('detector');
  const { GroundedSegmenter } = pkg('task-segmentation');
  const { TaskLoraGenerator } = pkg('hypernet');
  const { createTextEncoder } = pkg('text-encoder');
  const { loadImageRgb, compressRle } = pkg('coco-data');
  const limit = opts.limit ? Number(opts.limit) : undefined;
  const selection = await selectEval(opts.coco, opts.split, { limit, shard: wholeShard });
  // Resume: keep the whole lines of an earlier run (a line cut short by an interruption is dropped, its image
  // run again), rewritten through a temporary file so the kept part is never half-written either.
  const done = new Set();
  if (fs.existsSync(opts.out)) {
    const whole = fs
      .readFileSync(opts.out, 'utf8')
      .split('\n')
      .filter((line) => {
        try {
          done.add(JSON.parse(line).imageId);
          return true;
        } catch {
          return false;
        }
      });
    fs.writeFileSync(`${opts.out}.tmp`, whole.map((line) => `${line}\n`).join(''));
    fs.renameSync(`${opts.out}.tmp`, opts.out);
  }
  const runtime = await SamRuntime.create({
    modelCacheDir: path.join(cacheRoot, 'models'),
    optimizedModelDir: path.join(cacheRoot, 'models'),
    embeddingCacheDir: path.join(cacheRoot, 'embeddings'),
  });
  const detector = opts.detections ? resultsDetector(opts.detections) : await CocoDetector.load();
  const encoder = await createTextEncoder({ cacheDir: path.join(cacheRoot, 'text') });
  const generator = await TaskLoraGenerator.load({ encoder, checkpoint: opts.checkpoint });
  const loras = new Map();
  const source = {
    generate: async (task) => {
      if (!loras.has(task)) loras.set(task, await generator.generate(task));
      return loras.get(task);
    },
  };
  // --augment flip: the detector also runs on the mirrored image; --tiles: also on the image's corner tiles
  // (see @tasam/detector's DetectOptions).
  const boxScale = opts['box-scale'] === undefined ? undefined : Number(opts['box-scale']);
  const augmented = {
    detect: (image, options) =>
      detector.detect(image, { ...options, augment: opts.augment, tiles: opts.tiles }),
  };
  const segmenter = new GroundedSegmenter(runtime, augmented, source);
  const groundings = selection.categories.map((c) => ({
    task: textTask(c.name),
    grounded: true,
    categories: [{ id: c.id, name: c.name, score: 1 }],
    colour: null,
  }));
  let stop = false;
  process.on('SIGINT', () => {
    stop = true;
    console.error('\ninterrupted: finishing this image, then stopping (run again to resume)');
  });
  const todo = selection.images.filter((image) => !done.has(image.id));
  const started = Date.now();
  for (const [i, image] of todo.entries()) {
    if (stop) break;
    const rgb = await loadImageRgb(path.join(selection.imageDir, image.file_name));
    detector.imageId = image.id;
    const { embedding } = await runtime.embedImage(rgb);
    const present = presentCategories(selection, image.id);
    const asked = opts['present-only']
      ? groundings.filter((g) => present.includes(g.categories[0].id))
      : groundings;
    const result = await segmenter.segment(rgb, embedding, asked, {
      scoreThreshold: 0,
      maskNmsIou: 1,
      baseline: true,
      maskThreshold: Number(opts['mask-threshold']),
      ...(opts['detector-threshold'] === undefined
        ? {}
        : { detectorThreshold: Number(opts['detector-threshold']) }),
      boxScale,
      ...(opts['task-weight'] === undefined ? {} : { taskWeight: Number(opts['task-weight']) }),
    });
    const record = (list) =>
      list.map((m) => ({
        rle: compressRle(m.rle).counts,
        det: m.detectorScore,
        iou: m.predictedIou,
        stab: m.stabilityScore,
        box: m.box.map((v) => Math.round(v * 10) / 10),
        bbox: m.bbox,
      }));
    const line = {
      imageId: image.id,
      size: [image.height, image.width],
      present,
      tasam: {},
      plain: {},
    };
    asked.forEach((g, t) => {
      const c = { id: g.categories[0].id };
      const task = result.tasks[t];
      if (task.instances.length) line.tasam[c.id] = record(task.instances);
      if (task.baseline?.length) line.plain[c.id] = record(task.baseline);
    });
    fs.appendFileSync(opts.out, `${JSON.stringify(line)}\n`);
    const rate = (Date.now() - started) / 1000 / (i + 1);
    process.stderr.write(
      `\rcollect ${done.size + i + 1}/${selection.images.length}  ${rate.toFixed(1)} s an image, ` +
        `ETA ${Math.round(rate * (todo.length - i - 1))} s   `,
    );
  }
  process.stderr.write('\n');
  detector.dispose();
  await Promise.all([runtime.dispose(), encoder.dispose?.()]);
}

async function annotate() {
  if (!opts.in || !opts.out) usage();
  const { selectEval, textTask, wholeShard } = pkg('evaluation');
  const { SamRuntime } = pkg('sam-runtime');
  const { decodeScorer, defaultCheckpointPath, embeddingGridCoverage, pooledMaskFeatures } = pkg('hypernet');
  const { decodeSafetensors } = pkg('lora');
  const { createTextEncoder } = pkg('text-encoder');
  const { loadImageRgb, decompressRle } = pkg('coco-data');
  const selection = await selectEval(opts.coco, opts.split, { shard: wholeShard });
  const files = new Map(selection.images.map((i) => [i.id, i.file_name]));
  const names = new Map(selection.categories.map((c) => [c.id, c.name]));
  const checkpoint = defaultCheckpointPath();
  const scorer = decodeScorer(decodeSafetensors(fs.readFileSync(checkpoint), checkpoint), checkpoint);
  const runtime = await SamRuntime.create({
    modelCacheDir: path.join(cacheRoot, 'models'),
    optimizedModelDir: path.join(cacheRoot, 'models'),
    embeddingCacheDir: path.join(cacheRoot, 'embeddings'),
  });
  const encoder = await createTextEncoder({ cacheDir: path.join(cacheRoot, 'text') });
  const taskVectors = new Map();
  const taskVector = async (id) => {
    if (!taskVectors.has(id)) {
      const [embedding] = await encoder.embed([textTask(names.get(id))]);
      taskVectors.set(id, scorer.taskVector(embedding));
    }
    return taskVectors.get(id);
  };
  const lines = fs.readFileSync(opts.in, 'utf8').split('\n').filter(Boolean);
  const out = [];
  for (const [i, text] of lines.entries()) {
    const line = JSON.parse(text);
    const rgb = await loadImageRgb(path.join(selection.imageDir, files.get(line.imageId)));
    const { embedding } = await runtime.embedImage(rgb);
    for (const heads of ['tasam', 'plain'])
      for (const [cat, list] of Object.entries(line[heads])) {
        const task = await taskVector(Number(cat));
        for (const m of list) {
          const features = pooledMaskFeatures(
            embedding,
            embeddingGridCoverage(decompressRle({ size: line.size, counts: m.rle })),
          );
          const vector = features && scorer.maskVector(features);
          m.p = vector ? scorer.probability(vector, task) : 0;
          m.rel = vector ? scorer.relative(vector, m.p) : 0;
        }
      }
    out.push(JSON.stringify(line));
    process.stderr.write(`\rannotate ${i + 1}/${lines.length}   `);
  }
  fs.writeFileSync(`${opts.out}.tmp`, `${out.join('\n')}\n`);
  fs.renameSync(`${opts.out}.tmp`, opts.out);
  process.stderr.write('\n');
  await Promise.all([runtime.dispose(), encoder.dispose?.()]);
}

/** Score variants: each maps a recorded mask to a ranking score. */
let detectorBoxIou;
/** IoU of the detector's box (x0, y0, x1, y1) with the mask's COCO box (x, y, w, h). */
const boxIou = (box, bbox) => {
  detectorBoxIou ??= pkg('detector').boxIou;
  return detectorBoxIou(box, [bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]]);
};
const SCORES = {
  'det*iou': (m) => m.det * m.iou,
  det: (m) => m.det,
  'det*iou^2': (m) => m.det * m.iou * m.iou,
  'det*sqrt(iou)': (m) => m.det * Math.sqrt(Math.max(0, m.iou)),
  'det*iou*stab': (m) => m.det * m.iou * m.stab,
  'det*iou*boxiou': (m) => m.det * m.iou * boxIou(m.box, m.bbox),
  'det*iou*sqrt(boxiou)': (m) => m.det * m.iou * Math.sqrt(boxIou(m.box, m.bbox)),
  // Context: the best detector score of the same category in the image (is the category there at all?).
  'det*iou*sqrt(max)': (m, list) => m.det * m.iou * Math.sqrt(maxDet(list)),
  'det*iou*max': (m, list) => m.det * m.iou * maxDet(list),
  'sqrt(det*max)*iou': (m, list) => Math.sqrt(m.det * maxDet(list)) * m.iou,
  // The task scorer (after `annotate`): P(mask is the task's category) and that against its best guess.
  'det*iou*p^0.25': (m) => m.det * m.iou * m.p ** 0.25,
  'det*iou*p^0.5': (m) => m.det * m.iou * m.p ** 0.5,
  'det*iou*p': (m) => m.det * m.iou * m.p,
  'det*iou*rel^0.25': (m) => m.det * m.iou * m.rel ** 0.25,
  'det*iou*rel^0.5': (m) => m.det * m.iou * m.rel ** 0.5,
  'det*iou*(0.5+0.5p)': (m) => m.det * m.iou * (0.5 + 0.5 * m.p),
  'det*iou*sat(max/0.2)': (m, list) => m.det * m.iou * Math.min(1, maxDet(list) / 0.2),
  'det*iou*sat(max/0.3)': (m, list) => m.det * m.iou * Math.min(1, maxDet(list) / 0.3),
  'det*iou*sat(max/0.4)': (m, list) => m.det * m.iou * Math.min(1, maxDet(list) / 0.4),
  // Across categories (the detection setting's false positives): a box another category's better-scored box
  // overlaps (box IoU > 0.5) is scaled by the square root of its score over that one's.
  'det*iou*xratio': (m, _list, others) => m.det * m.iou * crossCategoryRatio(m, others, 0.5, 0.5),
};
/** (detector score / the best overlapping other category's) ^ power, or 1 when no better one overlaps. */
function crossCategoryRatio(m, others, iouAbove, power) {
  let best = 0;
  for (const o of others) if (o.det > best && detectorBoxIouOf(m.box, o.box) > iouAbove) best = o.det;
  return best > m.det ? (m.det / best) ** power : 1;
}
const detectorBoxIouOf = (a, b) => {
  detectorBoxIou ??= pkg('detector').boxIou;
  return detectorBoxIou(a, b);
};
const maxDet = (list) => list.reduce((best, m) => Math.max(best, m.det), 0);
const NMS = [0.5, 0.6, 0.7, 0.8, 1];

async function score() {
  if (!opts.in) usage();
  const { CocoEval, CocoResults, loadGroundTruthFile } = pkg('coco-eval');
  const { maskNms } = pkg('task-segmentation');
  const { decompressRle } = pkg('coco-data');
  const gt = await loadGroundTruthFile(path.join(opts.coco, 'annotations', `instances_${opts.split}.json`));
  const images = fs
    .readFileSync(opts.in, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const imgIds = images.map((i) => i.imageId);
  const allCats = gt.catIds;
  const wanted = opts.variants ? new Set(opts.variants.split(',')) : undefined;
  // Each list's masks as COCO RLE and, once mask NMS needs them, decoded (shared by every variant).
  const compressed = new Map();
  const decoded = new Map();
  const masksOf = (image, list) => {
    if (!compressed.has(list))
      compressed.set(
        list,
        list.map((m) => ({ size: image.size, counts: m.rle })),
      );
    return compressed.get(list);
  };
  const decodedOf = (image, list) => {
    if (!decoded.has(list)) decoded.set(list, masksOf(image, list).map(decompressRle));
    return decoded.get(list);
  };
  for (const heads of ['tasam', 'plain']) {
    for (const [scoreName, scoreOf] of Object.entries(SCORES)) {
      for (const nms of NMS) {
        const name = `${heads} ${scoreName} nms${nms}`;
        if (wanted && !wanted.has(name) && !wanted.has(scoreName)) continue;
        const results = { referring: [], detection: [] };
        for (const image of images) {
          const present = new Set(image.present);
          for (const [cat, list] of Object.entries(image[heads])) {
            const rles = masksOf(image, list);
            const others = Object.entries(image[heads]).flatMap(([c, l]) => (c === cat ? [] : l));
            const scores = list.map((m) => scoreOf(m, list, others));
            const keep = nms >= 1 ? list.map((_, i) => i) : maskNms(decodedOf(image, list), scores, nms);
            for (const k of keep) {
              const r = {
                image_id: image.imageId,
                category_id: Number(cat),
                score: scores[k],
                segmentation: rles[k],
              };
              results.detection.push(r);
              if (present.has(Number(cat))) results.referring.push(r);
            }
          }
        }
        const stats = {};
        for (const setting of ['referring', 'detection']) {
          const dt = new CocoResults(results[setting], 'segm', name, gt);
          const evaluation = new CocoEval(gt, dt, 'segm', { imgIds, catIds: allCats });
          evaluation.evaluate();
          evaluation.accumulate();
          stats[setting] = evaluation.summarize().stats;
        }
        const [r, d] = [stats.referring, stats.detection];
        const f = (v) => v.toFixed(3);
        console.log(
          `${name.padEnd(36)} referring AP ${f(r[0])} AP50 ${f(r[1])} AR100 ${f(r[8])}` +
            `  detection AP ${f(d[0])} AP50 ${f(d[1])} AR100 ${f(d[8])}`,
        );
      }
    }
  }
}

const command = positionals[0];
(command === 'collect'
  ? collect()
  : command === 'annotate'
    ? annotate()
    : command === 'score'
      ? score()
      : usage()
).catch((error) => {
  console.error(error);
  process.exit(1);
});
