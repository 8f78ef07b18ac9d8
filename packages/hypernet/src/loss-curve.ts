import * as vega from 'vega';

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

/** Renders the loss curve as an SVG document with Vega (headless, no canvas needed). */
export async function lossCurveSvg(
  points: readonly LossPoint[],
  title = 'tasam hypernet training loss',
): Promise<string> {
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v5.json',
    width: 640,
    height: 320,
    padding: 8,
    title: { text: title },
    data: [{ name: 'points', values: points as unknown as object[] }],
    scales: [
      { name: 'x', type: 'linear', domain: { data: 'points', field: 'step' }, range: 'width', zero: false },
      {
        name: 'y',
        type: 'linear',
        domain: { data: 'points', field: 'loss' },
        range: 'height',
        nice: true,
        zero: true,
      },
      { name: 'color', type: 'ordinal', domain: { data: 'points', field: 'series' }, range: 'category' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'step' },
      { orient: 'left', scale: 'y', title: 'loss' },
    ],
    legends: [{ fill: 'color', orient: 'top-right' }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'points', groupby: 'series' } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'step' },
                y: { scale: 'y', field: 'loss' },
                stroke: { scale: 'color', field: 'series' },
                strokeWidth: { value: 1.5 },
              },
            },
          },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
