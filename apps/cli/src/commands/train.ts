import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDetectorBoxes } from '@tasam/coco-data';
import { evaluateOnCoco } from '@tasam/evaluation';
import { trainOnCoco } from '@tasam/hypernet';
import { type EncoderPrecision, SamRuntime } from '@tasam/sam-runtime';
import { createTextEncoder } from '@tasam/text-encoder';
import { Command } from 'commander';
import { cacheDir } from '../cache-dir';
import { type CliIO, writeLine } from '../cli-context';
import { encoderPrecisionOption } from '../encoder-precision-option';
import { withInterrupt } from '../interrupt';
import {
  parseFiniteNumber,
  parseNonNegativeInt,
  parsePositiveInt,
  parseUnitInterval,
} from '../number-options';
import { startProgress, timedStep } from '../progress';

interface TrainCliOptions {
  coco?: string;
  split: string;
  out: string;
  epochs: number;
  resume?: boolean;
  seed: number;
  lr?: number;
  batchSize?: number;
  maxImages?: number;
  samplesPerImage?: number;
  checkpointEvery?: number;
  threads?: number;
  encoderPrecision?: EncoderPrecision;
  boxOnly: number;
  detectorBoxes?: string;
  init?: string;
  valSplit: string;
  valImages: number;
  json?: boolean;
}

/**
 * The split to validate on after training: none when asked, or when the default (val2017) is the training
 * split or is not in the COCO directory; an explicit --val-split must exist (the evaluation names it if not).
 */
function validationSplit(coco: string, options: TrainCliOptions, explicit: boolean): string | undefined {
  if (options.valSplit === 'none') return undefined;
  if (explicit) return options.valSplit;
  const present = existsSync(join(coco, 'annotations', `instances_${options.valSplit}.json`));
  return present && options.valSplit !== options.split ? options.valSplit : undefined;
}

export function trainCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  return new Command('train')
    .description('train the text → LoRA hypernetwork on COCO (image embeddings are computed once and cached)')
    .option('--coco <dir>', 'COCO directory (annotations/ and image folders); default $TASAM_COCO')
    .option('--split <name>', 'split to train on', 'train2017')
    .requiredOption(
      '--out <dir>',
      'run directory (checkpoints, train.jsonl, hypernet.safetensors, loss-curve.svg)',
    )
    .option('--epochs <n>', 'epochs', parsePositiveInt, 2)
    .option('--resume', 'continue from the run directory’s last checkpoint (same sample order)')
    .option('--seed <n>', 'seed of sampling, initialisation and dropout', parseNonNegativeInt, 0)
    .option('--lr <x>', 'peak learning rate', parseFiniteNumber)
    .option('--batch-size <n>', 'samples per step (from one image)', parsePositiveInt)
    .option('--samples-per-image <n>', 'at most this many samples of an image per epoch', parsePositiveInt)
    .option('--max-images <n>', 'only the first n images (quick runs)', parsePositiveInt)
    .option('--checkpoint-every <n>', 'steps between checkpoints', parsePositiveInt)
    .option(
      '--threads <n>',
      'onnxruntime intra-op threads (default: all cores; 1 in the worker that prepares batches while a step runs)',
      parsePositiveInt,
    )
    .addOption(encoderPrecisionOption())
    .option('--init <checkpoint>', 'fine-tune: start from this checkpoint instead of a fresh network')
    .option(
      '--box-only <p>',
      "probability that an instance sample is a jittered box alone (grounded mode's detector boxes), 0-1",
      parseUnitInterval,
      0.25,
    )
    .option(
      '--detector-boxes <file>',
      'COCO bbox results of a detector on --split (tasam detect --coco DIR --split S --out FILE): box-only samples of the instances it found are prompted with its boxes instead of jittered ones',
    )
    .option(
      '--val-split <name>',
      'after training, plain SAM vs the trained network on this split (1-click and category mIoU); "none" skips it',
      'val2017',
    )
    .option('--val-images <n>', 'validate on the first n images of --val-split', parsePositiveInt, 20)
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      '\nExample:\n  $ tasam train --coco ../shared/coco-mini --split train2017 --out runs/mini --epochs 2',
    )
    .action(async (options: TrainCliOptions, command: Command) => {
      const coco = options.coco ?? io.env.TASAM_COCO;
      if (!coco)
        command.error('error: --coco DIR or the TASAM_COCO environment variable is required', {
          exitCode: 2,
          code: 'tasam.usage',
        });
      await withInterrupt(io, async (interrupt) => {
        const detectorBoxes = options.detectorBoxes
          ? await readDetectorBoxes(resolve(options.detectorBoxes))
          : undefined;
        const runtime = await timedStep(
          io,
          'loading SAM',
          () =>
            SamRuntime.create({
              modelCacheDir: cacheDir('models', io.env),
              embeddingCacheDir: cacheDir('embeddings', io.env),
              intraOpThreads: options.threads,
              encoderPrecision: options.encoderPrecision,
              log: (line) => writeLine(io.stderr, line),
            }),
          { json: options.json },
        );
        const encoder = await createTextEncoder({ backend: 'use-lite', cacheDir: cacheDir('text', io.env) });
        let progress: ReturnType<typeof startProgress> | undefined;
        let validating: ReturnType<typeof startProgress> | undefined;
        let lastLogged = 0;
        const valSplit = validationSplit(
          resolve(coco as string),
          options,
          command.getOptionValueSource('valSplit') === 'cli',
        );
        try {
          const result = await trainOnCoco({
            coco: resolve(coco as string),
            split: options.split,
            out: resolve(options.out),
            runtime,
            encoder,
            epochs: options.epochs,
            seed: options.seed,
            resume: options.resume,
            batchSize: options.batchSize,
            maxSamplesPerImage: options.samplesPerImage,
            maxImages: options.maxImages,
            boxOnlyProbability: options.boxOnly,
            detectorBoxes,
            init: options.init,
            train: {
              ...(options.lr !== undefined ? { lr: options.lr } : {}),
              ...(options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {}),
            },
            ...(valSplit
              ? {
                  validation: {
                    split: valSplit,
                    maxImages: options.valImages,
                    evaluate: evaluateOnCoco,
                    onImage: (done: number, total: number) => {
                      progress?.stop();
                      progress = undefined;
                      validating ??= startProgress(io, {
                        label: `validating on ${valSplit}`,
                        total,
                        unit: 'image',
                        json: options.json,
                        interrupt,
                      });
                      validating.advance(1);
                      if (done === total) validating.stop();
                    },
                  },
                }
              : {}),
            onMessage: (line) => writeLine(io.stderr, line),
            shouldStop: () => interrupt.requested,
            onStep: (p) => {
              if (!progress) {
                progress = startProgress(io, {
                  label: 'training',
                  total: p.totalSteps,
                  unit: 'step',
                  json: options.json,
                  interrupt,
                });
                progress.advance(p.step - 1);
              }
              progress.advance(1);
              if (p.step - lastLogged >= 25 || p.step === p.totalSteps) {
                lastLogged = p.step;
                progress.log(
                  `step ${p.step}/${p.totalSteps} epoch ${p.epoch} loss ${p.record.loss.toFixed(4)} (mask ${p.record.mask.toFixed(4)}, iou ${p.record.iou.toFixed(4)}) lr ${p.record.lr.toExponential(2)} ${p.samplesPerSecond.toFixed(1)} samples/s`,
                );
              }
            },
          });
          progress?.stop();
          progress = undefined;
          const summary = {
            out: resolve(options.out),
            model: result.modelPath,
            lossCurve: result.curvePath,
            log: result.logPath,
            steps: result.state.step,
            samples: result.samples,
            seconds: Math.round(result.seconds),
            samplesPerSecond: Number(result.samplesPerSecond.toFixed(2)),
            stopped: result.stopped,
            ...(result.validation
              ? {
                  validation: {
                    split: result.validation.split,
                    file: result.validation.path,
                    oneClickMiou: {
                      plain: result.validation.oneClick.plain.overall,
                      tasam: result.validation.oneClick.tasam.overall,
                    },
                    categoryMiou: {
                      plain: result.validation.category.plain.overall,
                      tasam: result.validation.category.tasam.overall,
                    },
                  },
                }
              : {}),
          };
          if (options.json) writeLine(io.stdout, JSON.stringify(summary));
          else {
            writeLine(
              io.stdout,
              `trained ${summary.steps} steps (${summary.samples} samples, ${summary.samplesPerSecond} samples/s) in ${summary.seconds}s`,
            );
            writeLine(io.stdout, `model: ${summary.model}`);
            writeLine(io.stdout, `loss curve: ${summary.lossCurve}`);
            if (summary.validation) {
              const { split, oneClickMiou: a, categoryMiou: b, file } = summary.validation;
              const f = (x: number) => x.toFixed(3);
              writeLine(io.stdout, `validation on ${split} (${file}): mIoU plain SAM → tasam`);
              writeLine(io.stdout, `  1-click instance   ${f(a.plain)} → ${f(a.tasam)}`);
              writeLine(io.stdout, `  category (3+2 pts) ${f(b.plain)} → ${f(b.tasam)}`);
            }
          }
          if (result.stopped) setExitCode(interrupt.exitCode);
        } finally {
          progress?.stop();
          validating?.stop();
          await runtime.dispose();
          await encoder.dispose();
        }
      });
    });
}
