import type { RgbImage } from '@tasam/coco-data';
import { InvalidTensorError } from './errors';
import { ImageFrame, SAM_INPUT_SIZE } from './image-frame';
import { sharp } from './lazy-sharp';
import type { Tensor32 } from './tensor';

/** SAM's pixel statistics (RGB, 0-255 scale). */
const PIXEL_MEAN = [123.675, 116.28, 103.53] as const;
const PIXEL_STD = [58.395, 57.12, 57.375] as const;

export function assertRgbImage(image: RgbImage, name = 'image'): void {
  const valid =
    image &&
    image.data instanceof Uint8Array &&
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    image.width > 0 &&
    image.height > 0 &&
    image.data.length === image.width * image.height * 3;
  if (!valid) {
    throw new InvalidTensorError(
      name,
      `expected { data: Uint8Array of width*height*3 RGB bytes, width, height }, got ${image?.width}x${image?.height} with ${image?.data?.length} bytes`,
    );
  }
}

/**
 * The encoder input for an image: longest side resized to 1024 (bilinear, as SAM's PIL resize), normalised
 * with SAM's mean/std, CHW, zero-padded right and bottom. Returns the tensor [1,3,1024,1024] and its frame.
 */
export async function letterboxImage(image: RgbImage): Promise<{ input: Tensor32; frame: ImageFrame }> {
  assertRgbImage(image);
  const frame = new ImageFrame(image);
  const { resizedWidth: rw, resizedHeight: rh } = frame;
  const pixels =
    rw === image.width && rh === image.height
      ? image.data
      : await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
          .resize(rw, rh, { fit: 'fill', kernel: 'linear' })
          .raw()
          .toBuffer();
  const plane = SAM_INPUT_SIZE * SAM_INPUT_SIZE;
  const data = new Float32Array(3 * plane); // zeros = padding after normalisation
  for (let c = 0; c < 3; c++) {
    const mean = PIXEL_MEAN[c];
    const std = PIXEL_STD[c];
    const base = c * plane;
    for (let y = 0; y < rh; y++) {
      const row = base + y * SAM_INPUT_SIZE;
      let source = y * rw * 3 + c;
      for (let x = 0; x < rw; x++, source += 3) data[row + x] = (pixels[source] - mean) / std;
    }
  }
  return { input: { data, dims: [1, 3, SAM_INPUT_SIZE, SAM_INPUT_SIZE] }, frame };
}
