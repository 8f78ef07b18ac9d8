import {
  type CategoryMaskMiou,
  CocoEval,
  categoryMaskMiou,
  type InstanceMiou,
  type IouType,
  loadGroundTruthFile,
  loadResultsFile,
  pythonFixed,
} from '@tasam/coco-eval';
import { Command, Option } from 'commander';
import { type CliIO, writeLine } from '../cli-context';
import { parseFiniteNumber, parseNonNegativeInt } from '../number-options';
import { type Progress, startProgress, timedStep } from '../progress';

interface CocoEvalOptions {
  gt: string;
  results: string;
  iouType: IouType;
  json?: boolean;
  workers?: number;
  miou?: boolean;
  scoreThreshold: number;
}

/** The --json output. */
export interface CocoEvalReport {
  iouType: IouType;
  /** pycocotools' 12 stats, in its order. */
  stats: number[];
  /** AP (IoU .50:.95, area all, maxDets 100) per GT category id that has GT instances. */
  perCategory: Record<string, number>;
  /** With --miou. */
  miou?: { instance: InstanceMiou; categoryMask?: CategoryMaskMiou };
}

/** Text lines for --miou, in the style of the summary. */
function miouLines(miou: NonNullable<CocoEvalReport['miou']>): string[] {
  const lines = Object.entries(miou.instance).map(
    ([label, bucket]) =>
      ` Instance mIoU      @[ area=${label.padStart(6)} ] = ${Number.isNaN(bucket.miou) ? '  nan' : pythonFixed(bucket.miou, 3)} (${bucket.instances} GT instances)`,
  );
  const mask = miou.categoryMask;
  if (mask)
    lines.push(
      ` Category-mask mIoU @[ score>=${mask.scoreThreshold} ] = ${Number.isNaN(mask.miou) ? '  nan' : pythonFixed(mask.miou, 3)} (${mask.categories.filter((c) => c.union > 0).length} categories)`,
    );
  return lines;
}

/** `tasam coco-eval`: COCOeval (pycocotools semantics) of a results file against a ground truth. */
export function cocoEvalCommand(io: CliIO): Command {
  return new Command('coco-eval')
    .description('COCO AP/AR of a results file against a ground truth, as pycocotools COCOeval (segm, bbox)')
    .requiredOption('--gt <file>', 'ground truth: a COCO instances JSON file')
    .requiredOption('--results <file>', 'results: a COCO results JSON array (boxes and/or RLE masks)')
    .addOption(
      new Option('--iou-type <type>', 'what to compare').choices(['segm', 'bbox']).makeOptionMandatory(),
    )
    .option('--json', 'print one JSON object {iouType, stats, perCategory} on stdout')
    .option(
      '--workers <n>',
      'worker threads besides the main one for masks, IoU and matching (0: none; default: one per idle core on big inputs)',
      parseNonNegativeInt,
    )
    .option('--miou', 'also report instance mIoU (S/M/L by GT area) and, for segm, category-mask mIoU')
    .option('--score-threshold <x>', 'predictions counted in category-mask mIoU', parseFiniteNumber, 0.5)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam coco-eval --gt instances_val2017.json --results segm.json --iou-type segm',
        '  $ tasam coco-eval --gt gt.json --results boxes.json --iou-type bbox --json',
      ].join('\n'),
    )
    .action(async (options: CocoEvalOptions) => {
      const step = <T>(label: string, run: () => Promise<T> | T) =>
        timedStep(io, label, run, { json: options.json });
      const gt = await step(`loading ${options.gt}`, () => loadGroundTruthFile(options.gt));
      const dt = await step(`loading ${options.results}`, () => loadResultsFile(gt, options.results));
      const ev = new CocoEval(gt, dt, options.iouType);
      // The number of (image, category) pairs is known once evaluation has planned them.
      let progress: Progress | undefined;
      let seen = 0;
      try {
        await ev.evaluateAsync({
          workers: options.workers ?? 'auto',
          onProgress: (done, total) => {
            progress ??= startProgress(io, { label: 'evaluating', total, unit: 'pair', json: options.json });
            progress.advance(done - seen);
            seen = done;
          },
        });
      } finally {
        progress?.stop();
      }
      await step('accumulating', () => ev.accumulate());
      const summary = ev.summarize();
      const report: CocoEvalReport = {
        iouType: options.iouType,
        stats: summary.stats,
        perCategory: Object.fromEntries(
          ev
            .perCategoryAp()
            .filter((c) => c.ap > -1)
            .map((c) => [String(c.categoryId), c.ap]),
        ),
      };
      if (options.miou) {
        report.miou = { instance: ev.instanceMiou() };
        if (options.iouType === 'segm')
          report.miou.categoryMask = await step('category-mask mIoU', () =>
            categoryMaskMiou(gt, dt, { scoreThreshold: options.scoreThreshold }),
          );
      }
      if (options.json) {
        writeLine(
          io.stdout,
          JSON.stringify(report, (_key, value) => (Number.isNaN(value) ? null : value)),
        );
        return;
      }
      for (const line of summary.lines) writeLine(io.stdout, line);
      if (report.miou) for (const line of miouLines(report.miou)) writeLine(io.stdout, line);
    });
}
