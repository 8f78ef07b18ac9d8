import { InvalidTensorError } from './errors';

/** Side of SAM's square input frame. */
export const SAM_INPUT_SIZE = 1024;
/** Side of the decoder's low-resolution mask logits. */
export const SAM_LOW_RES_SIZE = 256;

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * The letterbox geometry between an original image and SAM's 1024x1024 frame: the longest side is scaled to
 * 1024 (rounded as SAM's ResizeLongestSide does) and the rest is zero padding at the right and bottom.
 */
export class ImageFrame {
  readonly width: number;
  readonly height: number;
  /** Size of the resized image inside the 1024 frame, before padding. */
  readonly resizedWidth: number;
  readonly resizedHeight: number;

  constructor(size: ImageSize) {
    const { width, height } = size;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new InvalidTensorError(
        'image size',
        `expected positive integer width and height, got ${width}x${height}`,
      );
    }
    this.width = width;
    this.height = height;
    const scale = SAM_INPUT_SIZE / Math.max(width, height);
    this.resizedWidth = Math.floor(width * scale + 0.5);
    this.resizedHeight = Math.floor(height * scale + 0.5);
  }

  /** Original-image pixel coordinates to the 1024 frame (SAM's apply_coords: per-axis ratios). */
  toModel(x: number, y: number): [number, number] {
    return [x * (this.resizedWidth / this.width), y * (this.resizedHeight / this.height)];
  }

  /** The 1024 frame back to original-image pixel coordinates. */
  fromModel(x: number, y: number): [number, number] {
    return [x * (this.width / this.resizedWidth), y * (this.height / this.resizedHeight)];
  }

  /** A box x0,y0,x1,y1 in original pixels to the 1024 frame. */
  boxToModel(box: readonly [number, number, number, number]): [number, number, number, number] {
    return [...this.toModel(box[0], box[1]), ...this.toModel(box[2], box[3])];
  }

  boxFromModel(box: readonly [number, number, number, number]): [number, number, number, number] {
    return [...this.fromModel(box[0], box[1]), ...this.fromModel(box[2], box[3])];
  }

  contains(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x <= this.width && y <= this.height;
  }
}
