import { TasamError } from '@tasam/errors';

/** The bytes are not a decodable image (corrupt, truncated, unsupported format). */
export class ImageDecodeError extends TasamError<'IMAGE_DECODE'> {
  constructor(
    readonly input: string,
    options: { cause?: unknown } = {},
  ) {
    const why = options.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('IMAGE_DECODE', `${input}: not a decodable image${why}`, options);
  }
}
