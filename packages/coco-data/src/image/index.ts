export { loadImageRgb, type RgbImage } from './load-image';
