export { rgbImageDigest } from './image-digest';
export { imagePixelLimit, loadImageRgb, type RgbImage } from './load-image';
