import * as vega from 'vega';

/** One point of a line chart; points of one `series` are joined in order. */
export interface ChartPoint {
  x: number;
  y: number;
  series: string;
}

export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  width?: number;
  height?: number;
  /** Fixed axis ranges (default: the data's, y from zero). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  strokeWidth?: number;
  /** A background colour (default transparent), e.g. white for a PNG. */
  background?: string;
}

/**
 * A multi-series line chart as an SVG document, rendered headless with Vega (no canvas): the loss curve of
 * training and the precision-recall curves of `tasam eval` are both this chart.
 */
export async function lineChartSvg(
  points: readonly ChartPoint[],
  options: LineChartOptions,
): Promise<string> {
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v5.json',
    width: options.width ?? 640,
    height: options.height ?? 320,
    padding: 8,
    ...(options.background ? { background: options.background } : {}),
    title: { text: options.title },
    data: [{ name: 'points', values: points as unknown as object[] }],
    scales: [
      {
        name: 'x',
        type: 'linear',
        domain: options.xDomain ?? { data: 'points', field: 'x' },
        range: 'width',
        zero: false,
      },
      {
        name: 'y',
        type: 'linear',
        domain: options.yDomain ?? { data: 'points', field: 'y' },
        range: 'height',
        ...(options.yDomain ? {} : { nice: true, zero: true }),
      },
      { name: 'color', type: 'ordinal', domain: { data: 'points', field: 'series' }, range: 'category' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: options.xTitle },
      { orient: 'left', scale: 'y', title: options.yTitle },
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
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                stroke: { scale: 'color', field: 'series' },
                strokeWidth: { value: options.strokeWidth ?? 1.5 },
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
