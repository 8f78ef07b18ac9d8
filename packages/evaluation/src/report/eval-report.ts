import type { CocoDataset } from '@tasam/coco-data';
import { GroundTruth } from '@tasam/coco-eval';
import type { MiouSummary } from '../protocols/coco-evaluation';
import type { GroundedImageResult } from '../protocols/grounded-protocol';
import { type MiouPair, mergeMiou } from '../protocols/point-protocols';
import type { TextImageResult } from '../protocols/text-protocol';
import type { EvalPart, EvalSettings } from './eval-part';
import {
  groundedResults,
  type Method,
  type TextMetrics,
  type TextSetting,
  textMetrics,
  textResults,
} from './text-metrics';

/** Every number of an evaluation (the --json document and eval.json). */
export interface EvalReport {
  settings: EvalSettings;
  images: number;
  shards: number;
  click?: MiouPair;
  category?: MiouPair;
  box?: MiouPair;
  text?: Record<TextSetting, Record<Method, TextMetrics>>;
  /** Grounded protocol: 'plain' = detector + plain SAM heads, 'tasam' = detector + task-LoRA heads. */
  grounded?: Record<TextSetting, Record<Method, TextMetrics>>;
  /** Per image id: point protocols, text and grounded protocol wall times (ms). */
  imageTimings: Record<string, { pointMs?: number; textMs?: number; groundedMs?: number }>;
  wallMs: number;
}

/** Pools the shards' raw results and computes the metrics. */
export function buildReport(parts: readonly EvalPart[], dataset: CocoDataset): EvalReport {
  const { settings } = parts[0];
  const imageTimings: EvalReport['imageTimings'] = {};
  const report: EvalReport = {
    settings,
    images: parts.reduce((n, p) => n + p.imageIds.length, 0),
    shards: parts.length,
    imageTimings,
    wallMs: parts.reduce((n, p) => n + p.wallMs, 0),
  };
  const points = parts.flatMap((p) => (p.point ? [p.point] : []));
  if (points.length > 0) {
    const pool = (pick: (p: (typeof points)[number]) => MiouPair) => ({
      plain: mergeMiou(points.map((p) => pick(p).plain)),
      tasam: mergeMiou(points.map((p) => pick(p).tasam)),
    });
    if (settings.protocols.includes('click')) report.click = pool((p) => p.click);
    if (settings.protocols.includes('category')) report.category = pool((p) => p.category);
    if (settings.protocols.includes('box') && points.every((p) => p.box))
      report.box = pool((p) => p.box as MiouPair);
    for (const p of points)
      for (const [id, ms] of Object.entries(p.imageMs)) imageTimings[id] = { pointMs: ms };
  }
  const text: TextImageResult[] = parts.flatMap((p) => p.text ?? []);
  if (settings.protocols.includes('text') && text.length > 0) {
    for (const t of text) imageTimings[t.imageId] = { ...imageTimings[t.imageId], textMs: t.ms };
    const gt = new GroundTruth(dataset);
    const imgIds = text.map((t) => t.imageId).sort((a, b) => a - b);
    const catIds = settings.categoryIds;
    const metrics = (setting: TextSetting, method: Method) =>
      textMetrics(
        gt,
        textResults(text, setting, method, catIds),
        imgIds,
        catIds,
        `${method} ${setting} results`,
        settings.scoreThreshold,
      );
    report.text = {
      referring: { plain: metrics('referring', 'plain'), tasam: metrics('referring', 'tasam') },
      detection: { plain: metrics('detection', 'plain'), tasam: metrics('detection', 'tasam') },
    };
  }
  const grounded: GroundedImageResult[] = parts.flatMap((p) => p.grounded ?? []);
  if (settings.protocols.includes('grounded') && grounded.length > 0) {
    for (const t of grounded) imageTimings[t.imageId] = { ...imageTimings[t.imageId], groundedMs: t.ms };
    const gt = new GroundTruth(dataset);
    const imgIds = grounded.map((t) => t.imageId).sort((a, b) => a - b);
    const catIds = settings.categoryIds;
    const metrics = (setting: TextSetting, method: Method) =>
      textMetrics(
        gt,
        groundedResults(grounded, setting, method, catIds),
        imgIds,
        catIds,
        `grounded ${method} ${setting} results`,
        settings.scoreThreshold,
      );
    report.grounded = {
      referring: { plain: metrics('referring', 'plain'), tasam: metrics('referring', 'tasam') },
      detection: { plain: metrics('detection', 'plain'), tasam: metrics('detection', 'tasam') },
    };
  }
  return report;
}

const f3 = (v: number) => (Number.isNaN(v) || v < 0 ? '–' : v.toFixed(3));
const delta = (a: number, b: number) =>
  Number.isNaN(a) || Number.isNaN(b) || a < 0 || b < 0
    ? '–'
    : `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(3)}`;

function miouRows(name: string, pair: MiouPair): string[] {
  const row = (label: string, key: keyof Omit<MiouSummary, 'count'>) =>
    `| ${name} | mIoU ${label} (${pair.plain.count[key]}) | ${f3(pair.plain[key])} | ${f3(pair.tasam[key])} | ${delta(pair.plain[key], pair.tasam[key])} |`;
  return [row('all', 'overall'), row('small', 'small'), row('medium', 'medium'), row('large', 'large')];
}

const STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];

/** AP rows of a text-like protocol, both settings. */
function apRows(name: string, metrics: Record<TextSetting, Record<Method, TextMetrics>>): string[] {
  const lines: string[] = [];
  for (const setting of ['referring', 'detection'] as const) {
    const { plain, tasam } = metrics[setting];
    for (const k of [0, 1, 2, 3, 4, 5, 8]) {
      lines.push(
        `| ${name} (${setting}) | ${STAT_NAMES[k]} | ${f3(plain.stats[k])} | ${f3(tasam.stats[k])} | ${delta(plain.stats[k], tasam.stats[k])} |`,
      );
    }
    const miou = (m: TextMetrics) => m.instanceMiou.all?.miou ?? Number.NaN;
    lines.push(
      `| ${name} (${setting}) | instance mIoU | ${f3(miou(plain))} | ${f3(miou(tasam))} | ${delta(miou(plain), miou(tasam))} |`,
    );
    lines.push(
      `| ${name} (${setting}) | category-mask mIoU | ${f3(plain.categoryMaskMiou.miou)} | ${f3(tasam.categoryMaskMiou.miou)} | ${delta(plain.categoryMaskMiou.miou, tasam.categoryMaskMiou.miou)} |`,
    );
    lines.push(`| ${name} (${setting}) | results | ${plain.results} | ${tasam.results} | |`);
  }
  return lines;
}

/** The report as Markdown: the summary table, then per-category AP of the text protocol. */
export function reportMarkdown(report: EvalReport, command: string): string {
  const s = report.settings;
  const lines = [
    `# tasam eval: ${s.split} (${report.images} images, ${s.categoryIds.length} categories)`,
    '',
    `\`${command}\``,
    '',
    `checkpoint \`${s.checkpoint}\` (${s.checkpointId}), seed ${s.seed}, text grid ${s.grid}x${s.grid}, plain score threshold ${s.scoreThreshold}, tasam ${s.taskScoreThreshold ?? 'default'} (relative ${s.taskRelativeThreshold ?? 'default'})${s.limit !== null ? `, --limit ${s.limit}` : ''}`,
    '',
    '| protocol | metric | plain SAM | tasam | Δ |',
    '|---|---|---|---|---|',
  ];
  if (report.grounded)
    lines.splice(
      lines.length - 2,
      0,
      'In the grounded rows both columns prompt SAM with the same detector boxes: "plain SAM" is detector + plain SAM heads (the LangSAM-style baseline), "tasam" the task-LoRA heads.',
      '',
    );
  if (report.click) lines.push(...miouRows('click', report.click));
  if (report.category) lines.push(...miouRows('category', report.category));
  if (report.box) lines.push(...miouRows('box', report.box));
  if (report.text) lines.push(...apRows('text', report.text));
  if (report.grounded) lines.push(...apRows('grounded', report.grounded));
  if (report.text) {
    const { plain, tasam } = report.text.referring;
    const detection = report.text.detection;
    lines.push(
      '',
      '## Per-category AP (text protocol)',
      '',
      '| category | referring plain | referring tasam | detection plain | detection tasam |',
      '|---|---|---|---|---|',
    );
    plain.perCategoryAp.forEach((c, k) => {
      if (c.ap < 0 && tasam.perCategoryAp[k].ap < 0) return;
      lines.push(
        `| ${c.name} | ${f3(c.ap)} | ${f3(tasam.perCategoryAp[k].ap)} | ${f3(detection.plain.perCategoryAp[k].ap)} | ${f3(detection.tasam.perCategoryAp[k].ap)} |`,
      );
    });
  }
  const times = Object.values(report.imageTimings);
  const median = (values: number[]) => {
    const v = values.filter((x) => x !== undefined).sort((a, b) => a - b);
    return v.length ? v[v.length >> 1] : Number.NaN;
  };
  const medians = (
    [
      ['point protocols', 'pointMs'],
      ['text protocol', 'textMs'],
      ['grounded protocol', 'groundedMs'],
    ] as const
  )
    .map(([label, key]) => [label, median(times.map((t) => t[key] as number))] as const)
    .filter(([, ms]) => !Number.isNaN(ms))
    .map(([label, ms]) => `${label} ${ms} ms`);
  lines.push(
    '',
    `Median per-image time: ${medians.join(', ') || '–'}; wall ${Math.round(report.wallMs / 1000)} s over ${report.shards} shard(s).`,
    '',
  );
  return lines.join('\n');
}
