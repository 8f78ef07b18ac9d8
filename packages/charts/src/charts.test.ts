import { lineChartSvg } from './line-chart';
import { lossCurveSvg, smooth } from './loss-curve';
import { prCurveSvg } from './pr-curve';

describe('smooth', () => {
  it('is the bias-corrected exponential moving average', () => {
    expect(smooth([2, 2, 2])).toEqual([2, 2, 2].map((v) => expect.closeTo(v, 10)));
    const [first, second] = smooth([1, 3], 0.5);
    expect(first).toBeCloseTo(1, 10);
    expect(second).toBeCloseTo((0.25 + 1.5) / 0.75, 10);
  });
});

describe('charts', () => {
  it('renders a line chart as an SVG document with its titles and series', async () => {
    const svg = await lineChartSvg(
      [
        { x: 0, y: 1, series: 'a' },
        { x: 1, y: 0.5, series: 'a' },
        { x: 0, y: 0.2, series: 'b' },
      ],
      { title: 'the title', xTitle: 'step', yTitle: 'loss' },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['the title', 'step', 'loss', '>a<', '>b<']) expect(svg).toContain(text);
  });

  it('draws loss curves and PR curves (NaN precision left out)', async () => {
    const loss = await lossCurveSvg([{ step: 1, loss: 0.5, series: 'train' }]);
    expect(loss).toContain('tasam hypernet training loss');
    const pr = await prCurveSvg(
      [
        { series: 'plain SAM', recall: [0, 0.5, 1], precision: [1, 0.5, Number.NaN] },
        { series: 'tasam', recall: [0, 0.5, 1], precision: [1, 0.8, 0.4] },
      ],
      'PR',
      'precision (IoU 0.50)',
    );
    for (const text of ['PR', 'recall', 'precision (IoU 0.50)', 'plain SAM', 'tasam'])
      expect(pr).toContain(text);
  });
});
