import { join, resolve } from 'node:path';
import { CocoDetector, type DetectorModelName } from '@tasam/detector';
import {
  buildReport,
  comparisonPicture,
  type EvalPart,
  type EvalReport,
  evalPasses,
  evaluatePart,
  PROTOCOLS,
  type Protocol,
  prCurves,
  readParts,
  reportMarkdown,
  selectEval,
} from '@tasam/evaluation';
import type { EncoderPrecision } from '@tasam/sam-runtime';
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileAtomic } from '../atomic-file';
import { type CliIO, writeLine } from '../cli-context';
import { DETECTOR_MODELS_HELP, detectorOptionsFromEnv, parseDetectorModels } from '../detector-models';
import { encoderPrecisionOption } from '../encoder-precision-option';
import { evalInvocation } from '../eval-invocation';
import { withInterrupt } from '../interrupt';
import { parseFiniteNumber, parseNonNegativeInt, parsePositiveInt } from '../number-options';
import { startProgress } from '../progress';
import { parseShard, type Shard, shardName, wholeShard } from '../shard';
import { loadTaskSegmenter } from '../task-segmenter-setup';

export interface EvalOptions {
  coco?: string;
  split: string;
  /** Protocols to run, in PROTOCOLS order. */
  protocol: Protocol[];
  seed: number;
  limit?: number;
  categories?: string[];
  shard?: Shard;
  merge?: boolean;
  out: string;
  grid: number;
  scoreThreshold: number;
  taskScoreThreshold?: number;
  taskRelativeThreshold?: number;
  pictures: number;
  checkpoint?: string;
  encoder: 'use-lite' | 'minilm';
  threads?: number;
  encoderPrecision?: EncoderPrecision;
  detectorModels?: DetectorModelName[];
  detectorModelDir?: string;
  detectorTiles?: boolean;
  json?: boolean;
}

function parseList(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0)
    throw new InvalidArgumentError(`expected comma-separated category names; got "${text}".`);
  return list;
}

/** `all`, one protocol, or a comma-separated list (`click,category,box`), in PROTOCOLS order. */
export function parseProtocols(text: string): Protocol[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.length === 1 && names[0] === 'all') return [...PROTOCOLS];
  for (const name of names)
    if (!(PROTOCOLS as readonly string[]).includes(name))
      throw new InvalidArgumentError(
        `expected all or a comma-separated list of ${PROTOCOLS.join(', ')}; got "${text}".`,
      );
  return PROTOCOLS.filter((p) => names.includes(p));
}

/** Runs this process's share of the evaluation and returns its raw results. */
export async function runEvalPart(io: CliIO, coco: string, options: EvalOptions): Promise<EvalPart> {
  const started = performance.now();
  const shard = options.shard ?? wholeShard;
  const protocols = options.protocol;
  const selection = await selectEval(coco, options.split, {
    limit: options.limit,
    categories: options.categories,
    shard,
  });
  const loaded = await loadTaskSegmenter(io, {
    checkpoint: options.checkpoint,
    encoder: options.encoder,
    threads: options.threads,
    encoderPrecision: options.encoderPrecision,
  });
  const { segmenter } = loaded;
  const detector = protocols.includes('grounded')
    ? await CocoDetector.load({ models: options.detectorModels, modelDir: options.detectorModelDir })
    : undefined;
  try {
    return await withInterrupt(io, async (interrupt) => {
      const passes = evalPasses(protocols);
      const total = selection.images.length * passes;
      const progress = startProgress(io, {
        // Each image is visited once per pass: click/category/box, then text, then grounded.
        label: passes > 1 ? `evaluating (${passes} passes)` : 'evaluating',
        total,
        unit: 'image',
        json: options.json,
        interrupt,
      });
      try {
        return await evaluatePart(selection, segmenter, {
          coco,
          split: options.split,
          protocols,
          seed: options.seed,
          grid: options.grid,
          scoreThreshold: options.scoreThreshold,
          taskScoreThreshold: options.taskScoreThreshold,
          taskRelativeThreshold: options.taskRelativeThreshold,
          checkpoint: loaded.checkpoint,
          limit: options.limit,
          shard,
          detector,
          detectorTiles: options.detectorTiles,
          startedAt: started,
          onImage: (imageId, pass) => {
            progress.advance();
            interrupt.throwIfRequested(`after image ${imageId} of ${pass}`);
          },
        });
      } finally {
        progress.stop();
      }
    });
  } finally {
    detector?.dispose();
    await loaded.dispose();
  }
}

/** Computes the metrics of complete results and writes eval.json, eval.md, the pictures and the PR curves. */
export async function writeReport(
  io: CliIO,
  parts: EvalPart[],
  options: Pick<EvalOptions, 'out' | 'pictures' | 'json'>,
  command: string,
): Promise<EvalReport> {
  const { settings } = parts[0];
  const selection = await selectEval(settings.coco, settings.split, {
    limit: settings.limit ?? undefined,
    categories: settings.categoryIds.map(String),
    shard: wholeShard,
  });
  const report = buildReport(parts, selection.dataset);
  const out = resolve(options.out);
  await writeFileAtomic(join(out, 'eval.json'), `${JSON.stringify(report, null, 1)}\n`);
  const markdown = reportMarkdown(report, command);
  await writeFileAtomic(join(out, 'eval.md'), markdown);
  const text = parts.flatMap((p) => p.text ?? []);
  if (report.text) {
    for (const setting of ['referring', 'detection'] as const) {
      const chart = await prCurves(`text protocol, ${setting} setting`, report.text[setting]);
      await writeFileAtomic(join(out, `pr-${setting}.svg`), chart.svg);
      await writeFileAtomic(join(out, `pr-${setting}.png`), chart.png);
    }
    let written = 0;
    for (const result of text) {
      if (written >= options.pictures) break;
      const picture = await comparisonPicture(selection, result);
      if (picture) {
        await writeFileAtomic(join(out, 'pictures', `${result.imageId}.png`), picture.png);
        written += 1;
      }
    }
  }
  if (options.json) writeLine(io.stdout, JSON.stringify(report));
  else {
    writeLine(io.stdout, markdown);
    writeLine(
      io.stdout,
      `written: ${join(out, 'eval.json')}, ${join(out, 'eval.md')}${report.text ? ', pr-*.svg/png, pictures/' : ''}`,
    );
  }
  return report;
}

/** `tasam eval --coco DIR --split NAME [--protocol ...] [--shard i/n | --merge] ...` */
export function evalCommand(io: CliIO): Command {
  return new Command('eval')
    .description(
      'measure plain SAM vs tasam on a COCO split: click, category, box, text and grounded protocols (AP, mIoU)',
    )
    .option('--coco <dir>', 'COCO directory with annotations/ and image folders (default: $TASAM_COCO)')
    .option('--split <name>', 'split to evaluate', 'val2017')
    .addOption(
      new Option('--protocol <names>', `all, or a comma-separated list of ${PROTOCOLS.join(', ')}`)
        .argParser(parseProtocols)
        .default([...PROTOCOLS], 'all'),
    )
    .option('--seed <n>', "seed of the category protocol's points", parseNonNegativeInt, 0)
    .option('--limit <n>', 'only the first n images (file-name order)', parsePositiveInt)
    .option('--categories <names>', 'comma-separated category names or ids (default: all)', parseList)
    .option(
      '--shard <i/n>',
      'evaluate the i-th of n image slices; writes eval-shard-*.json into --out',
      parseShard,
    )
    .option('--merge', 'merge the shard files of --out into one report')
    .option('--out <dir>', 'output directory', 'eval-out')
    .option('--grid <n>', 'text protocol: n x n grid points of the automatic mode', parsePositiveInt, 8)
    .option(
      '--score-threshold <x>',
      "text protocol: keep plain SAM's instances whose predicted IoU is above x",
      parseFiniteNumber,
      0.5,
    )
    .option(
      '--task-score-threshold <x>',
      "text protocol: keep tasam's instances whose task score is above x (default: the segmenter's, 0.15 with a task scorer)",
      parseFiniteNumber,
    )
    .option(
      '--task-relative-threshold <x>',
      "text protocol: tasam's relative threshold (default: the segmenter's, 0.8; 0 ranks every candidate, for AP)",
      parseFiniteNumber,
    )
    .option(
      '--pictures <n>',
      'text protocol: original | plain | tasam pictures to write',
      parseNonNegativeInt,
      4,
    )
    .option('--checkpoint <file>', 'hypernetwork checkpoint (default: the shipped one)')
    .addOption(
      new Option('--encoder <name>', 'text encoder of the checkpoint')
        .choices(['use-lite', 'minilm'])
        .default('use-lite'),
    )
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', parsePositiveInt)
    .addOption(encoderPrecisionOption())
    .option('--detector-models <names>', `grounded protocol: ${DETECTOR_MODELS_HELP}`, parseDetectorModels)
    .option(
      '--detector-model-dir <dir>',
      "grounded protocol: directory with the detector models' files (default: the bundled ones; YOLOv8 files are the user's)",
    )
    .option(
      '--detector-tiles',
      'grounded protocol: also detect on the corner tiles of each image (small objects)',
    )
    .option('--json', 'print the report as one JSON document on stdout')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam eval --coco ../shared/coco-mini --split val2017 --protocol all',
        '  $ tasam eval --coco ../shared/coco-mini --protocol grounded --shard 0/2 --out runs/grounded',
        '  $ tasam eval --coco ../shared/coco-mini --protocol text --categories suitcase,cat --limit 20',
        '  $ tasam eval --coco /data/coco --shard "$JOB_COMPLETION_INDEX/8" --out /shared/eval',
        '  $ tasam eval --coco /data/coco --merge --out /shared/eval',
        '',
        'Protocols are described in the README of @tasam/cli (apps/cli/README.md#tasam-eval).',
      ].join('\n'),
    )
    .action(async (options: EvalOptions, command: Command) => {
      const usage = (message: string): never =>
        command.error(`error: ${message}`, { exitCode: 2, code: 'tasam.usage' });
      const invocation = evalInvocation(process.argv.slice(3), options, io.env);
      if (options.merge) {
        if (options.shard) usage('--merge takes no --shard');
        const parts = await readParts(resolve(options.out));
        await writeReport(io, parts, options, invocation);
        return;
      }
      const coco = options.coco ?? io.env.TASAM_COCO;
      if (!coco) usage('--coco DIR (or the TASAM_COCO environment variable) is required');
      Object.assign(options, detectorOptionsFromEnv(options, io.env, usage));
      const part = await runEvalPart(io, coco as string, options);
      if (options.shard) {
        const path = join(resolve(options.out), `eval-${shardName(options.shard)}.json`);
        await writeFileAtomic(path, JSON.stringify(part));
        if (options.json)
          writeLine(
            io.stdout,
            JSON.stringify({ shard: options.shard, file: path, images: part.imageIds.length }),
          );
        else
          writeLine(
            io.stdout,
            `shard ${options.shard.index}/${options.shard.count}: ${part.imageIds.length} images -> ${path}`,
          );
        return;
      }
      await writeReport(io, [part], options, invocation);
    });
}
