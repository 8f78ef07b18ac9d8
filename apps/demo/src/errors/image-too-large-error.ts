import { TasamError } from '@tasam/errors';

/** The image decodes but has more pixels than the cap (masks are computed at full resolution). */
export class ImageTooLargeError extends TasamError<'DEMO_IMAGE_TOO_LARGE'> {
  constructor(
    readonly filename: string,
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(
      'DEMO_IMAGE_TOO_LARGE',
      `${filename}: ${width}x${height} is ${(width * height).toLocaleString('en-US')} pixels, ` +
        `more than the cap of ${maxPixels.toLocaleString('en-US')}; downscale it first`,
    );
  }
}
