#!/usr/bin/env node
// Do colour tasks pick the apples of their colour? Checked against a developer's own colour labels of the COCO
// apple annotations of coco-mini val2017 000000560256 (a market stall: red apples, a pile of pale yellow-green
// ones; the image itself is read from the COCO directory, never committed):
//
//   node tools/colour-check/colour-check.js [--coco DIR] [--detector-tiles] [--detector-models M --detector-model-dir D]
//
// Runs the built `tasam segment IMAGE --task T --json` for "segment all red apples" and "segment all green
// apples" and matches each instance to the labelled apple holding at least half of its pixels. Prints, per task,
// how many instances lie on apples labelled with the task's colour, on apples of another colour, and on nothing
// labelled (unlabelled apples or other things), and which labelled apples of the task's colour were found.
// Built packages are required (`pnpm build`).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..', '..');
const { decompressRle, mergeRles, rleArea, rleFromSegmentation } = require(
  path.join(root, 'packages', 'coco-data', 'dist'),
);
const { values: opts } = parseArgs({
  options: {
    coco: { type: 'string', default: process.env.TASAM_COCO ?? path.join(root, '..', 'shared', 'coco-mini') },
    'detector-tiles': { type: 'boolean', default: false },
    'detector-models': { type: 'string' },
    'detector-model-dir': { type: 'string' },
  },
});

const labels = JSON.parse(fs.readFileSync(path.join(__dirname, 'apple-labels-val2017-560256.json'), 'utf8'));
const imageFile = path.join(opts.coco, labels.image);
const coco = JSON.parse(
  fs.readFileSync(path.join(opts.coco, 'annotations', 'instances_val2017.json'), 'utf8'),
);
const { height, width } = coco.images.find((i) => labels.image.endsWith(i.file_name));
const labelled = coco.annotations
  .filter((a) => labels.labels[a.id])
  .map((a) => ({
    id: a.id,
    colour: labels.labels[a.id].colour,
    rle: rleFromSegmentation(a.segmentation, height, width),
  }));

for (const colour of ['red', 'green']) {
  const task = `segment all ${colour} apples`;
  const args = [
    path.join(root, 'apps', 'cli', 'dist', 'bin.js'),
    'segment',
    imageFile,
    '--task',
    task,
    '--json',
  ];
  if (opts['detector-tiles']) args.push('--detector-tiles');
  for (const flag of ['detector-models', 'detector-model-dir']) if (opts[flag]) args.push(`--${flag}`, opts[flag]);
  const variant = [opts['detector-tiles'] && '--detector-tiles', opts['detector-models']].filter(Boolean).join(', ');
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
    if (!best || best.share < 0.5) counts.none++;
    else if (best.g.colour === colour) {
      counts.same++;
      found.add(best.g.id);
    } else counts.other++;
  }
  const wanted = labelled.filter((g) => g.colour === colour);
  console.log(
    `${task}${variant ? ` (${variant})` : ''}: ${report.tasks[0].masks.length} instances: ` +
      `${counts.same} on ${colour}-labelled apples, ${counts.other} on apples labelled another colour, ` +
      `${counts.none} on nothing labelled; ${colour}-labelled apples found ${found.size} of ${wanted.length}` +
      (found.size ? ` (${[...found].join(', ')})` : ''),
  );
}
