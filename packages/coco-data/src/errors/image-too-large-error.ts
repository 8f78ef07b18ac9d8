import { TasamError } from '@tasam/errors';

/**
 * An image whose header claims more pixels than are allowed for its size in bytes: a decompression bomb or a
 * corrupt header (a few hundred bytes claiming 16000 x 16000 pixels would decode to 768 MB of RGB).
 */
export class ImageTooLargeError extends TasamError<'IMAGE_TOO_LARGE'> {
  constructor(
    readonly input: string,
    /** Width and height from the header, when they could be read. */
    readonly size: { width: number; height: number } | undefined,
    readonly limit: number,
    options: { cause?: unknown } = {},
  ) {
    const claims = size
      ? `${size.width} x ${size.height} = ${size.width * size.height} pixels`
      : 'its pixels';
    super(
      'IMAGE_TOO_LARGE',
      `${input}: the header claims ${claims}, more than the ${limit} allowed for an input of this size`,
      options,
    );
  }
}
