export { decodeMask, decodeMaskInto, encodeMask, type PixelOrder } from './encode';
export { bboxIou, rleIou } from './iou';
export { rleArea, rleToBbox } from './measure';
export { mergeRles } from './merge';
export { MAX_POLYGON_COORDINATE, MAX_POLYGON_CROSSINGS, rleFromBbox, rleFromPolygon } from './polygon';
export { type Bbox, type CompressedRle, Rle, type UncompressedRle } from './rle';
export { rleFromSegmentation, rlesFromPolygons, type Segmentation } from './segmentation';
export { compressRle, decompressRle } from './string-codec';
export { rleFromUncompressed, rleToUncompressed } from './uncompressed';
