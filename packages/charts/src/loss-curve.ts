import { lineChartSvg } from './line-chart';

export interface LossPoint {
  step: number;
  loss: number;
  /** Series name, e.g. `train` or `train (EMA)`. */
  series: string;
}

/** Exponential moving average of a noisy per-step curve, for a readable plot. */
export function smooth(values: readonly number[], beta = 0.95): number[] {
  const out: number[] = [];
  let avg = 0;
  values.forEach((v, i) => {
    avg = beta * avg + (1 - beta) * v;
    out.push(avg / (1 - beta ** (i + 1)));
  });
  return out;
}

/** Renders the loss curve as an SVG document (lineChartSvg: Vega, headless). */
export function lossCurveSvg(
  points: readonly LossPoint[],
  title = 'tasam hypernet training loss',
): Promise<string> {
  return lineChartSvg(
    points.map((p) => ({ x: p.step, y: p.loss, series: p.series })),
    { title, xTitle: 'step', yTitle: 'loss' },
  );
}
