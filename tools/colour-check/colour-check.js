#!/usr/bin/env node
// Does tasam name colours as people do? Two checks against a developer's own labels, on real COCO images read
// from the COCO directory (never committed):
//
//   node tools/colour-check/colour-check.js [--coco DIR] [--grey-world 0,0.5] [--detector-tiles]
//       [--detector-models M --detector-model-dir D]
//
// 1. Naming: the colour shares (@tasam/task-segmentation `maskColourShares`) of the ground-truth masks of
//    labelled instances: the 45 of `instance-colour-labels.json` and the 37 of
//    `instance-colour-labels-heldout.json` (two random draws of coco-mini instances of colourful categories), and
//    the 12 annotated apples of val2017 000000560256. For each way of adapting the pixels to the image's light
//    (`lightAdaptation`: as shot or exposure on, each with each grey-world degree) it prints how many instances a
//    task of their labelled colour keeps (share >= 0.25, GroundedOptions.colourMinShare's default), how many have
//    their labelled colour as the largest share, and how many times a task of another colour would keep one.
// 2. Tasks: for each of those ways, runs the built `tasam segment IMAGE --task T --json --colour-adaptation D
//    [--no-colour-exposure]` on val2017 000000560256 (a market stall: red apples, a pile of pale yellow-green
//    ones) for "segment all red apples" and "segment all green apples", and matches each instance to the labelled
//    apple holding at least half of its pixels, or to an unannotated apple whose labelled point it covers. Prints
//    how many instances lie on apples of the task's colour, on apples of another colour, and on nothing labelled,
//    and which apples of the task's colour were found.
// Built packages are required (`pnpm build`).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..', '..');
const pkg = (name) => require(path.join(root, 'packages', name, 'dist'));
const { decompressRle, decodeMask, loadImageRgb, mergeRles, rleArea, rleFromSegmentation } = pkg('coco-data');
const { lightAdaptation, maskColourShares } = pkg('task-segmentation');
const { values: opts } = parseArgs({
  options: {
    coco: { type: 'string', default: process.env.TASAM_COCO ?? path.join(root, '..', 'shared', 'coco-mini') },
    'grey-world': { type: 'string', default: '0,0.5' },
    'detector-tiles': { type: 'boolean', default: false },
    'detector-models': { type: 'string' },
    'detector-model-dir': { type: 'string' },
  },
});
// Every way of adapting pixels to the light: exposure off (as shot) or on, each with each grey-world degree.
const variants = [false, true].flatMap((exposure) =>
  opts['grey-world'].split(',').map((d) => ({ exposure, greyWorld: Number(d) })),
);
const variantName = (v) => `${v.exposure ? 'exposure' : 'as shot'}, grey world ${v.greyWorld}`;
const MIN_SHARE = 0.25;

const annotations = new Map();
const annotationsOf = (split) => {
  if (!annotations.has(split))
    annotations.set(
      split,
      JSON.parse(fs.readFileSync(path.join(opts.coco, 'annotations', `instances_${split}.json`), 'utf8')),
    );
  return annotations.get(split);
};
const apples = JSON.parse(fs.readFileSync(path.join(__dirname, 'apple-labels-val2017-560256.json'), 'utf8'));
const appleSplit = apples.image.split('/')[0];

const labelsIn = (file) => JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8')).labels;

async function naming() {
  await namingOf('random instances, first draw', labelsIn('instance-colour-labels.json'));
  await namingOf('random instances, second draw', labelsIn('instance-colour-labels-heldout.json'));
  await namingOf(
    "the stall's apples",
    Object.entries(apples.labels).map(([id, l]) => ({
      split: appleSplit,
      annotationId: Number(id),
      colour: l.colour,
    })),
  );
}

async function namingOf(setName, labelled) {
  const images = new Map();
  const tally = variants.map(() => ({ kept: 0, largest: 0, falseKeeps: 0 }));
  for (const label of labelled) {
    const coco = annotationsOf(label.split);
    const annotation = coco.annotations.find((a) => a.id === label.annotationId);
    const meta = coco.images.find((i) => i.id === annotation.image_id);
    const key = `${label.split}/${meta.file_name}`;
    if (!images.has(key)) {
      const image = await loadImageRgb(path.join(opts.coco, label.split, meta.file_name));
      images.set(key, { image, adaptations: variants.map((v) => lightAdaptation(image, v)) });
    }
    const { image, adaptations } = images.get(key);
    const rle = rleFromSegmentation(annotation.segmentation, meta.height, meta.width);
    adaptations.forEach((adaptation, d) => {
      const shares = maskColourShares(image, rle, adaptation);
      const ranked = Object.entries(shares).sort((a, b) => b[1] - a[1]);
      if (shares[label.colour] >= MIN_SHARE) tally[d].kept++;
      if (ranked[0][0] === label.colour) tally[d].largest++;
      tally[d].falseKeeps += ranked.filter(
        ([name, share]) => name !== label.colour && share >= MIN_SHARE,
      ).length;
    });
  }
  variants.forEach((variant, d) => {
    const t = tally[d];
    console.log(
      `naming, ${setName}, ${variantName(variant)}: ${labelled.length} labelled instances; kept by a task of their colour ` +
        `${t.kept}, labelled colour the largest share ${t.largest}, kept by a task of another colour ${t.falseKeeps} times`,
    );
  });
}

function tasks() {
  const coco = annotationsOf(appleSplit);
  const imageFile = path.join(opts.coco, apples.image);
  const { height, width } = coco.images.find((i) => apples.image.endsWith(i.file_name));
  const labelled = coco.annotations
    .filter((a) => apples.labels[a.id])
    .map((a) => ({
      id: String(a.id),
      colour: apples.labels[a.id].colour,
      rle: rleFromSegmentation(a.segmentation, height, width),
    }));
  const points = apples.unannotated.labels.map((l) => ({ id: `point ${l.point.join(',')}`, ...l }));
  for (const v of variants)
    for (const colour of ['red', 'green']) {
      const task = `segment all ${colour} apples`;
      const args = [
        path.join(root, 'apps', 'cli', 'dist', 'bin.js'),
        'segment',
        imageFile,
        '--task',
        task,
        '--json',
        '--colour-adaptation',
        String(v.greyWorld),
      ];
      if (!v.exposure) args.push('--no-colour-exposure');
      if (opts['detector-tiles']) args.push('--detector-tiles');
      for (const flag of ['detector-models', 'detector-model-dir'])
        if (opts[flag]) args.push(`--${flag}`, opts[flag]);
      const variant = [variantName(v), opts['detector-tiles'] && '--detector-tiles', opts['detector-models']]
        .filter(Boolean)
        .join(', ');
      const report = JSON.parse(
        execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
      );
      const counts = { same: 0, other: 0, none: 0 };
      const found = new Set();
      for (const mask of report.tasks[0].masks) {
        const rle = decompressRle(mask.rle);
        const area = rleArea(rle);
        const best = labelled
          .map((g) => ({ g, share: rleArea(mergeRles([rle, g.rle], true)) / area }))
          .sort((a, b) => b.share - a.share)[0];
        const pixels = decodeMask(rle);
        const point = points.find((p) => pixels[p.point[1] * width + p.point[0]] === 1);
        const match = best && best.share >= 0.5 ? best.g : point;
        if (!match) counts.none++;
        else if (match.colour === colour) {
          counts.same++;
          found.add(match.id);
        } else counts.other++;
      }
      const wanted = labelled.length + points.length;
      const ofColour = [...labelled, ...points].filter((g) => g.colour === colour).length;
      console.log(
        `${task} (${variant}): ${report.tasks[0].masks.length} instances: ` +
          `${counts.same} on ${colour}-labelled apples, ${counts.other} on apples labelled another colour, ` +
          `${counts.none} on nothing labelled; ${colour}-labelled apples found ${found.size} of ${ofColour} ` +
          `(of ${wanted} labelled)${found.size ? ` (${[...found].join(', ')})` : ''}`,
      );
    }
}

naming()
  .then(tasks)
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
