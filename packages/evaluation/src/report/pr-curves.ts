import { prCurveSvg } from '@tasam/charts';
import sharp from 'sharp';
import type { TextMetrics } from './text-metrics';

/** A chart as SVG and as PNG. */
export interface ChartFiles {
  svg: string;
  png: Buffer;
}

/** Precision-recall curves (IoU 0.50, mean over categories) of plain SAM and tasam; SVG and PNG. */
export async function prCurves(
  title: string,
  curves: { plain: TextMetrics; tasam: TextMetrics },
): Promise<ChartFiles> {
  const svg = await prCurveSvg(
    (['plain', 'tasam'] as const).map((method) => ({
      series: method === 'plain' ? 'plain SAM' : 'tasam',
      recall: curves[method].prCurve.recall,
      precision: curves[method].prCurve.precisionAt50,
    })),
    title,
    'precision (IoU 0.50)',
  );
  return { svg, png: await sharp(Buffer.from(svg)).png().toBuffer() };
}
