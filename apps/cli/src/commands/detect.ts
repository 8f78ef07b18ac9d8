import { join, resolve } from 'node:path';
import { COCO_CATEGORIES, loadImageRgb, type RgbImage } from '@tasam/coco-data';
import {
  CocoDetector,
  type Detection,
  type DetectorModelName,
  detectionsToCocoResults,
} from '@tasam/detector';
import { selectEval } from '@tasam/evaluation';
import { OVERLAY_PALETTE } from '@tasam/sam-runtime';
import { Command, InvalidArgumentError } from 'commander';
import sharp from 'sharp';
import { writeFileAtomic } from '../atomic-file';
import { type CliIO, writeLine } from '../cli-context';
import { DETECTOR_MODELS_HELP, detectorFromEnv, parseDetectorModels } from '../detector-models';
import { withInterrupt } from '../interrupt';
import { parseUnitInterval } from '../number-options';
import { startProgress } from '../progress';
import { wholeShard } from '../shard';

interface DetectOptions {
  coco?: string;
  split: string;
  out?: string;
  overlay?: string;
  scoreThreshold: number;
  categories?: number[];
  modelDir?: string;
  detectorModels?: DetectorModelName[];
  tiles?: boolean;
  json?: boolean;
}

const byName = new Map(COCO_CATEGORIES.map((c) => [c.name, c.id]));

/** Comma-separated COCO category names or ids → ids. */
function parseCategories(text: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => {
      const id =
        byName.get(name) ?? (COCO_CATEGORIES.some((c) => c.id === Number(name)) ? Number(name) : NaN);
      if (Number.isNaN(id)) throw new InvalidArgumentError(`no COCO category "${name}".`);
      return id;
    });
}

const escapeXml = (text: string) =>
  text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);

/** The image with each detection's box and "category score" label, one palette colour per category. */
async function writeDetectionOverlay(path: string, image: RgbImage, detections: readonly Detection[]) {
  const font = Math.max(11, Math.min(18, Math.round(image.width / 45)));
  const shapes = detections.map((d) => {
    const [r, g, b] = OVERLAY_PALETTE[d.categoryId % OVERLAY_PALETTE.length];
    const [x0, y0, x1, y1] = d.box;
    const colour = `rgb(${r},${g},${b})`;
    const label = `${escapeXml(d.category)} ${d.score.toFixed(2)}`;
    const ty = y0 > font + 2 ? y0 - 3 : y0 + font;
    return (
      `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="${colour}" stroke-width="2"/>` +
      `<text x="${x0 + 2}" y="${ty}" fill="${colour}" stroke="black" stroke-width="0.6" font-weight="bold">${label}</text>`
    );
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">` +
    `<g font-family="DejaVu Sans, sans-serif" font-size="${font}">${shapes.join('')}</g></svg>`;
  const png = await sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .composite([{ input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
  await writeFileAtomic(path, png);
}

/** `tasam detect --coco DIR --split NAME --out results.json`: COCO bbox results for a split. */
async function detectCoco(io: CliIO, coco: string, options: DetectOptions, detector: CocoDetector) {
  const selection = await selectEval(coco, options.split, { shard: wholeShard });
  const out = resolve(options.out ?? `detections-${options.split}.json`);
  const results: ReturnType<typeof detectionsToCocoResults> = [];
  await withInterrupt(io, async (interrupt) => {
    const progress = startProgress(io, {
      label: 'detecting',
      total: selection.images.length,
      unit: 'image',
      json: options.json,
      interrupt,
    });
    try {
      for (const image of selection.images) {
        const detections = await detector.detect(join(selection.imageDir, image.file_name), {
          scoreThreshold: options.scoreThreshold,
          tiles: options.tiles,
          categoryIds: options.categories,
        });
        results.push(...detectionsToCocoResults(image.id, detections));
        progress.advance();
        // Nothing is written unless every image was detected: a partial results file would score as misses.
        interrupt.throwIfRequested(`after image ${image.id}; no results written`);
      }
    } finally {
      progress.stop();
    }
  });
  await writeFileAtomic(out, JSON.stringify(results));
  const summary = { images: selection.images.length, detections: results.length, out };
  if (options.json) writeLine(io.stdout, JSON.stringify(summary));
  else {
    writeLine(io.stdout, `${summary.detections} detections in ${summary.images} images: ${out}`);
    writeLine(
      io.stdout,
      `score them: tasam coco-eval --gt ${selection.annotationsPath} --results ${out} --iou-type bbox`,
    );
  }
}

/** `tasam detect IMAGE [--json] [--overlay FILE]`, or `tasam detect --coco DIR --split NAME --out FILE`. */
export function detectCommand(io: CliIO): Command {
  return new Command('detect')
    .description(
      "detect COCO's 80 object categories (boxes, categories, scores) with the bundled CenterNet + NanoDet ensemble",
    )
    .argument('[image]', 'image file (JPEG, PNG, WebP, ...); omit with --coco')
    .option(
      '--coco <dir>',
      'detect every image of a COCO split and write bbox results (default: $TASAM_COCO)',
    )
    .option('--split <name>', 'with --coco: the split', 'val2017')
    .option('--out <file>', 'with --coco: the results JSON (default detections-<split>.json)')
    .option('--overlay <file.png>', 'write the image with the boxes and labels drawn on it')
    .option('--score-threshold <x>', 'keep detections scoring at least x (0-1)', parseUnitInterval, 0.3)
    .option(
      '--categories <names>',
      'only these COCO categories (comma-separated names or ids)',
      parseCategories,
    )
    .option(
      '--model-dir <dir>',
      "directory with the models' files: centernet.json/.bin, nanodet.json/.bin (default: the bundled models), or yolov8{n,s,m}.onnx (the user's)",
    )
    .option('--detector-models <names>', DETECTOR_MODELS_HELP, parseDetectorModels)
    .option('--tiles', 'also detect on the four corner tiles of the image: small objects (about 4x the time)')
    .option('--json', 'print {"image","detections":[{"box","categoryId","category","score"}],"ms"} on stdout')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam detect examples/elephants.jpg --overlay boxes.png',
        '  $ tasam detect examples/cats.jpg --categories cat,dog --json',
        '  $ tasam detect --coco ../shared/coco-mini --split val2017 --score-threshold 0.05 --out dt.json',
      ].join('\n'),
    )
    .action(async (imagePath: string | undefined, options: DetectOptions, command: Command) => {
      const usage = (message: string): never =>
        command.error(`error: ${message}`, { exitCode: 2, code: 'tasam.usage' });
      const coco = options.coco ?? (imagePath === undefined ? io.env.TASAM_COCO : undefined);
      if (imagePath !== undefined && options.coco) usage('give an image or --coco, not both');
      if (imagePath === undefined && !coco) usage('give an image, or --coco DIR (or TASAM_COCO)');
      if (coco && options.overlay) usage('--overlay draws one image; it does not apply to --coco');
      const detector = await CocoDetector.load(
        detectorFromEnv({ models: options.detectorModels, modelDir: options.modelDir }, io.env, usage),
      );
      try {
        if (coco) {
          await detectCoco(io, coco, options, detector);
          return;
        }
        const started = performance.now();
        const image = await loadImageRgb(imagePath as string);
        const detections = await detector.detect(image, {
          scoreThreshold: options.scoreThreshold,
          tiles: options.tiles,
          categoryIds: options.categories,
        });
        const ms = Math.round(performance.now() - started);
        if (options.overlay) await writeDetectionOverlay(options.overlay, image, detections);
        if (options.json) {
          writeLine(io.stdout, JSON.stringify({ image: resolve(imagePath as string), detections, ms }));
          return;
        }
        writeLine(
          io.stdout,
          `${resolve(imagePath as string)} (${image.width}x${image.height}): ${detections.length} detections`,
        );
        detections.forEach((d, i) => {
          const [x0, y0, x1, y1] = d.box.map((v) => Math.round(v));
          writeLine(
            io.stdout,
            `  #${i + 1}  ${d.category}  score ${d.score.toFixed(3)}  box ${x0},${y0},${x1},${y1}`,
          );
        });
        if (options.overlay) writeLine(io.stdout, `overlay: ${options.overlay}`);
      } finally {
        detector.dispose();
      }
    });
}
