import { lineChartSvg } from './line-chart';

/** One method's precision-recall curve: precision at each recall step (NaN where undefined). */
export interface PrCurve {
  /** Legend name, e.g. `plain SAM`. */
  series: string;
  recall: readonly number[];
  precision: readonly number[];
}

/**
 * Precision-recall curves of several methods on one chart (recall and precision both 0-1, white background
 * for a PNG); points whose precision is NaN (no result reaches that recall) are left out, negatives clamp to 0.
 */
export function prCurveSvg(curves: readonly PrCurve[], title: string, yTitle = 'precision'): Promise<string> {
  const values = curves.flatMap((curve) =>
    curve.recall.flatMap((recall, r) => {
      const p = curve.precision[r];
      return Number.isNaN(p) ? [] : [{ x: recall, y: Math.max(0, p), series: curve.series }];
    }),
  );
  return lineChartSvg(values, {
    title,
    xTitle: 'recall',
    yTitle,
    width: 480,
    xDomain: [0, 1],
    yDomain: [0, 1],
    strokeWidth: 2,
    background: 'white',
  });
}
