import type { RgbImage } from '@tasam/coco-data';
import { type BoxPrompt, OVERLAY_PALETTE, type PointPrompt, renderOverlay } from '@tasam/sam-runtime';
import sharp from 'sharp';
import { writeFileAtomic } from './atomic-file';

/** One instance drawn on a task overlay: its mask (row-major, 1 = inside) and its score. */
export interface OverlayInstance {
  mask: Uint8Array;
  score: number;
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

const rgb = (c: readonly number[]) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** Legend rows shown before "+N more". */
export const LEGEND_ROWS = 8;

/**
 * The legend as SVG: the task text, then one row per instance (its overlay colour, number and score), on a
 * dark translucent panel sized to the image (font scales with the image's width).
 */
export function legendSvg(
  task: string,
  scores: readonly number[],
  width: number,
  note?: string,
): { svg: string; height: number } {
  const font = Math.max(11, Math.min(18, Math.round(width / 45)));
  const row = Math.round(font * 1.45);
  const shown = scores.slice(0, LEGEND_ROWS);
  const more = scores.length - shown.length;
  const lines = [
    `<text x="${font * 0.6}" y="${row * 0.75}" font-weight="bold">“${escapeXml(task)}”${note ? ` ${escapeXml(note)}` : ''}: ${scores.length} instance${scores.length === 1 ? '' : 's'}</text>`,
    ...shown.map((score, i) => {
      const y = row * (i + 1);
      const color = rgb(OVERLAY_PALETTE[i % OVERLAY_PALETTE.length]);
      return (
        `<rect x="${font * 0.6}" y="${y + row * 0.2}" width="${font}" height="${font * 0.8}" fill="${color}"/>` +
        `<text x="${font * 2}" y="${y + row * 0.75}">#${i + 1}  score ${score.toFixed(3)}</text>`
      );
    }),
    ...(more > 0
      ? [`<text x="${font * 0.6}" y="${row * (shown.length + 1) + row * 0.75}">+${more} more</text>`]
      : []),
  ];
  const height = Math.round(row * (1 + shown.length + (more > 0 ? 1 : 0)) + row * 0.3);
  const panelWidth = Math.min(
    width,
    Math.round(font * (3.2 + 0.62 * Math.max(18, task.length + (note?.length ?? 0) + 17))),
  );
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${panelWidth}" height="${height}">` +
    `<rect width="100%" height="100%" fill="black" fill-opacity="0.6"/>` +
    `<g font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="white">${lines.join('')}</g></svg>`;
  return { svg, height };
}

/** One task's panel: its text, instances (best first) and an optional note under the task (e.g. its grounding). */
export interface TaskPanel {
  task: string;
  instances: readonly OverlayInstance[];
  /** Shown after the task text, e.g. "→ cat" or "(not grounded: task scorer)". */
  note?: string;
}

/**
 * The image with the task's instances in palette colours (best score first: instance i gets colour i, as in
 * the legend), the prompts marked, and the legend in the top-left corner; PNG bytes of the image's size.
 */
export async function taskOverlayPng(
  image: RgbImage,
  panel: TaskPanel,
  prompts: { points?: readonly PointPrompt[]; box?: BoxPrompt } = {},
): Promise<Buffer> {
  const pixels = renderOverlay(
    image,
    panel.instances.map((i) => i.mask),
    prompts,
  );
  const { svg, height } = legendSvg(
    panel.task,
    panel.instances.map((i) => i.score),
    image.width,
    panel.note,
  );
  const legend = await sharp(Buffer.from(svg))
    .resize({
      width: Math.min(image.width, 10_000),
      height: Math.min(height, image.height),
      fit: 'inside',
      withoutEnlargement: true,
    })
    .png()
    .toBuffer();
  return sharp(Buffer.from(pixels), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .composite([{ input: legend, left: 0, top: 0 }])
    .png()
    .toBuffer();
}

/** Gap between panels of a grid, in pixels. */
const PANEL_GAP = 8;

/**
 * Writes one task's overlay, or for several tasks a side-by-side grid (at most 3 panels a row), one panel a task
 * with its own legend, so the tasks can be compared on the same picture.
 */
export async function writeTaskOverlayPng(
  path: string,
  image: RgbImage,
  panels: readonly TaskPanel[],
  prompts: { points?: readonly PointPrompt[]; box?: BoxPrompt } = {},
): Promise<void> {
  const pngs = await Promise.all(panels.map((panel) => taskOverlayPng(image, panel, prompts)));
  if (pngs.length === 1) {
    await writeFileAtomic(path, pngs[0]);
    return;
  }
  const columns = Math.min(3, pngs.length);
  const rows = Math.ceil(pngs.length / columns);
  const grid = await sharp({
    create: {
      width: columns * image.width + (columns - 1) * PANEL_GAP,
      height: rows * image.height + (rows - 1) * PANEL_GAP,
      channels: 3,
      background: '#ffffff',
    },
  })
    .composite(
      pngs.map((input, i) => ({
        input,
        left: (i % columns) * (image.width + PANEL_GAP),
        top: Math.floor(i / columns) * (image.height + PANEL_GAP),
      })),
    )
    .png()
    .toBuffer();
  await writeFileAtomic(path, grid);
}
