import { loadImageRgb } from '@tasam/coco-data';
import type { BoxPrompt, PointPrompt } from '@tasam/sam-runtime';
import { Command, InvalidArgumentError, Option } from 'commander';
import { cacheDir } from '../cache-dir';
import type { CliIO } from '../cli-context';
import { DETECTOR_MODELS_HELP, detectorOptionsFromEnv, parseDetectorModels } from '../detector-models';
import { encoderPrecisionOption } from '../encoder-precision-option';
import { parseFiniteNumber, parseNonNegativeInt, parsePositiveInt } from '../number-options';
import type * as PlainSegment from '../plain-segment';
import type { SegmentOptions } from '../segment-options';
import { TaskDetector } from '../task-detector';
import type * as TaskSegment from '../task-segment';

/** `x,y` or `x,y,label` (label 1 = foreground, the default; 0 = background); collects repeated flags. */
export function parsePoint(text: string, previous: PointPrompt[] = []): PointPrompt[] {
  const parts = text.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (
    (parts.length !== 2 && parts.length !== 3) ||
    parts.some((p) => p === '') ||
    !numbers.every(Number.isFinite)
  ) {
    throw new InvalidArgumentError(`expected x,y or x,y,label with numbers; got "${text}".`);
  }
  const label = parts.length === 3 ? numbers[2] : 1;
  if (label !== 0 && label !== 1) {
    throw new InvalidArgumentError(`label must be 1 (foreground) or 0 (background); got "${text}".`);
  }
  return [...previous, { x: numbers[0], y: numbers[1], label }];
}

/** `x0,y0,x1,y1` in image pixels. */
export function parseBox(text: string): BoxPrompt {
  const parts = text.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || !numbers.every(Number.isFinite)) {
    throw new InvalidArgumentError(`expected x0,y0,x1,y1 (four numbers); got "${text}".`);
  }
  return numbers as BoxPrompt;
}

/** `tasam segment IMAGE [--point x,y[,label]]... [--box x0,y0,x1,y1] [--everything] ...` */
export function segmentCommand(io: CliIO): Command {
  return new Command('segment')
    .description('segment an image with SAM from points and/or a box, or find everything (--everything)')
    .argument('<image>', 'image file (JPEG, PNG, WebP, ...)')
    .option(
      '--point <x,y[,label]>',
      'a click in image pixels; label 1 = object (default), 0 = background; repeatable',
      parsePoint,
      [],
    )
    .option('--box <x0,y0,x1,y1>', 'a box around the object, in image pixels', parseBox)
    .option('--everything', 'automatic mode: segment every object from a grid of points')
    .option(
      '--task <text>',
      'task-aware mode: find every instance the task names (no clicks), or refine --point/--box with the task; repeatable (several tasks, one embedding; --overlay draws a panel per task)',
      (text: string, previous: string[]) => [...previous, text],
      [],
    )
    .option(
      '--no-detector',
      "with --task: skip grounding and the COCO detector; the task scorer ranks SAM's grid masks (the pre-detector path)",
    )
    .option(
      '--detector-model-dir <dir>',
      "with --task: directory with the detector models' files (default: the bundled, checksummed models)",
    )
    .option('--detector-models <names>', `with --task: ${DETECTOR_MODELS_HELP}`, parseDetectorModels)
    .option(
      '--detector-tiles',
      'with --task: also detect on the four corner tiles of the image (small objects, e.g. fruit on a stall; about 4x the detector time)',
    )
    .option(
      '--colour-adaptation <x>',
      "with --task and a colour word: grey-world adaptation to the colour of the image's light before the mask's pixels are named, from 0 (none, the default) to 1 (the image's average made grey); 0.5 suits scenes under a coloured light",
      parseFiniteNumber,
    )
    .option(
      '--no-colour-exposure',
      "with --task and a colour word: name the mask's pixels without first brightening the image so that its 95th-percentile luminance is white",
    )
    .option('--checkpoint <file>', 'with --task: hypernetwork checkpoint (default: the shipped one)')
    .addOption(
      new Option('--encoder <name>', 'with --task: text encoder of the checkpoint')
        .choices(['use-lite', 'minilm'])
        .default('use-lite'),
    )
    .option(
      '--score-threshold <x>',
      "with --task: keep instances whose task score is above x (default 0.15: detector score x predicted IoU, or P(the task's object) x predicted IoU on the scorer path)",
      parseFiniteNumber,
    )
    .option(
      '--prompts <k>',
      "with --task: prompt only the k grid points the task scorer rates likeliest to be on the task's objects (default 16 of a 16x16 grid; 0 = every grid point)",
      parseNonNegativeInt,
    )
    .option(
      '--relative-threshold <x>',
      "with --task: keep instances whose P(task) is at least x times the task scorer's best-guess category's (default 0.8; 0 keeps all)",
      parseFiniteNumber,
    )
    .option(
      '--grid <n>',
      'with --everything or --task: n x n grid points (default 16; with --task 16, or 8 for a checkpoint without a task scorer)',
      parsePositiveInt,
      16,
    )
    .option(
      '--min-region-area <px>',
      'with --everything: remove islands and holes smaller than this',
      parseNonNegativeInt,
      0,
    )
    .option('--multimask', "return SAM's three candidate masks (best first) instead of one")
    .option('--out <mask.png>', 'write the best mask as a PNG (with --everything: an instance-label PNG)')
    .option('--overlay <overlay.png>', 'write the image with the mask(s) drawn over it')
    .option('--json', 'print {"masks":[{"rle","score","bbox",...}],"timings":{...}} on stdout')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', parsePositiveInt)
    .option('--provider <name>', 'onnxruntime execution provider', 'cpu')
    .addOption(encoderPrecisionOption())
    .option('--no-cache', 'do not read or write the caches of the image embedding and the detector boxes')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam segment examples/cats.jpg --point 240,150 --out mask.png --overlay overlay.png',
        '  $ tasam segment examples/elephants.jpg --box 60,90,330,400 --point 200,250 --json',
        '  $ tasam segment examples/suitcases.jpg --everything --overlay everything.png',
        '  $ tasam segment examples/cats.jpg --task "segment all cats" --overlay out.png',
        '  $ tasam segment examples/street.jpg --task "segment people" --task "segment vehicles" --overlay grid.png',
        '  $ tasam segment examples/suitcases.jpg --task "highlight every suitcase" --point 220,300 --json',
      ].join('\n'),
    )
    .action(async (imagePath: string, options: SegmentOptions, command: Command) => {
      const usage = (message: string): never =>
        command.error(`error: ${message}`, { exitCode: 2, code: 'tasam.usage' });
      const prompted = options.point.length > 0 || options.box !== undefined;
      if (options.task.length > 0) {
        if (options.task.some((t) => t.trim() === '')) usage('--task needs a non-empty text');
        if (prompted && options.task.length > 1) usage('--point/--box take one --task');
        if (options.everything) usage('--task already finds every instance of the task; drop --everything');
        if (options.multimask) usage('--multimask applies to plain SAM prompts, not --task');
        Object.assign(options, detectorOptionsFromEnv(options, io.env, usage));
        // The detector's worker threads start before the task segmenter's modules load (~0.2 s): building and
        // warming its models is the longest step before the first box reaches SAM. With the detection cache, not
        // for an image seen before: its boxes are likely cached (the detector starts at a miss).
        const detector =
          prompted || !options.detector
            ? undefined
            : new TaskDetector(options, options.cache ? cacheDir('detections', io.env) : undefined);
        const loadStart = performance.now();
        const rgb = detector?.cache ? await loadImageRgb(imagePath) : undefined;
        const image = rgb ? { rgb, loadMs: Math.round(performance.now() - loadStart) } : undefined;
        if (rgb) detector?.startUnlessCached(rgb);
        else void detector?.start();
        const { printTaskReport, runTaskSegment } = require('../task-segment') as typeof TaskSegment;
        const report = await runTaskSegment(io, imagePath, {
          ...options,
          tasks: options.task,
          taskDetector: detector,
          image,
          // A task's grid has its own default (each prompted point costs a trunk run, ~150 ms on two cores).
          grid: command.getOptionValueSource('grid') === 'cli' ? options.grid : undefined,
        });
        printTaskReport(io, report, options);
        return;
      }
      if (options.everything && prompted) usage('--everything takes no --point or --box');
      if (options.everything && options.multimask) usage('--multimask applies to prompts, not --everything');
      if (!options.everything && !prompted)
        usage('give at least one --point or a --box (or --everything); or --task TEXT for task-aware mode');
      const { printSegmentReport, runSegment } = require('../plain-segment') as typeof PlainSegment;
      const report = await runSegment(io, imagePath, options);
      printSegmentReport(io, report, options);
    });
}
