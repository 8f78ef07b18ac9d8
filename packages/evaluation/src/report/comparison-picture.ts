import { join } from 'node:path';
import { decodeMask, decompressRle, loadImageRgb } from '@tasam/coco-data';
import { renderOverlay } from '@tasam/sam-runtime';
import sharp from 'sharp';
import type { EvalSelection } from '../eval-selection';
import { type TextImageResult, textTask } from '../protocols/text-protocol';

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

/** A caption band (SVG text on a dark strip) above a panel. */
function caption(text: string, width: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="28"><rect width="100%" height="100%" fill="#111"/>` +
      `<text x="8" y="19" font-family="DejaVu Sans, sans-serif" font-size="15" fill="#fff">${escapeXml(text)}</text></svg>`,
  );
}

/** A comparison picture (PNG) and the task it shows. */
export interface ComparisonPicture {
  task: string;
  png: Buffer;
}

/**
 * original | plain SAM | tasam for one image and task (the present category with the most results), the task
 * text and each side's instance count written above the panels; PNG. Undefined when the image has no present
 * category (nothing to compare).
 */
export async function comparisonPicture(
  selection: EvalSelection,
  result: TextImageResult,
): Promise<ComparisonPicture | undefined> {
  const image = selection.dataset.image(result.imageId);
  if (!image || result.present.length === 0) return undefined;
  const categoryId = [...result.present].sort(
    (a, b) => (result.tasam[b]?.length ?? 0) - (result.tasam[a]?.length ?? 0) || a - b,
  )[0];
  const name = selection.dataset.category(categoryId)?.name ?? String(categoryId);
  const task = textTask(name);
  const rgb = await loadImageRgb(join(selection.imageDir, image.file_name));
  const masks = (list: { rle: { size: [number, number]; counts: string } }[]) =>
    list.map((m) => decodeMask(decompressRle(m.rle)));
  const plainMasks = masks(result.plain);
  const tasamMasks = masks(result.tasam[categoryId] ?? []);
  const { width, height } = rgb;
  const panel = (pixels: Uint8Array) =>
    sharp(Buffer.from(pixels), { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
  const panels = await Promise.all([
    panel(rgb.data),
    panel(renderOverlay(rgb, plainMasks)),
    panel(renderOverlay(rgb, tasamMasks)),
  ]);
  const titles = [
    `original #${image.id}`,
    `plain SAM: ${plainMasks.length} masks`,
    `tasam "${task}": ${tasamMasks.length}`,
  ];
  const png = await sharp({
    create: { width: width * 3 + 16, height: height + 28, channels: 3, background: '#111' },
  })
    .composite(
      panels.flatMap((input, i) => [
        { input, left: i * (width + 8), top: 28 },
        { input: caption(titles[i], width), left: i * (width + 8), top: 0 },
      ]),
    )
    .png()
    .toBuffer();
  return { task, png };
}
