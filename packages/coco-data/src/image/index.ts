export { imagePixelLimit, loadImageRgb, type RgbImage } from './load-image';
