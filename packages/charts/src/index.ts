export { type ChartPoint, type LineChartOptions, lineChartSvg } from './line-chart';
export { type LossPoint, lossCurveSvg, smooth } from './loss-curve';
export { type PrCurve, prCurveSvg } from './pr-curve';
