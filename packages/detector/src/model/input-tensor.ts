import type { RgbImage } from '@tasam/coco-data';
import * as tf from '@tensorflow/tfjs-core';
import { DETECTOR_INPUT_SIZE } from './centernet-constants';

/**
 * The model input: the image stretched (no letterbox) to 512x512 with tfjs' default bilinear resize (no
 * corner alignment, no half-pixel centres), float RGB 0-255, batch of one. Intermediate tensors are disposed.
 * On coco-mini val2017 this gives bbox AP 0.279; half-pixel centres 0.276, sharp's lanczos3 0.282, sharp's
 * bilinear 0.279 (146 images: differences of this size are noise).
 */
export function toInputTensor(image: RgbImage, inputSize = DETECTOR_INPUT_SIZE): tf.Tensor4D {
  return tf.tidy(() => {
    const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3], 'float32');
    const resized = tf.image.resizeBilinear(pixels, [inputSize, inputSize]);
    return tf.expandDims(resized, 0) as tf.Tensor4D;
  });
}
