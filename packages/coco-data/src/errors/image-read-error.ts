import { TasamError } from '@tasam/errors';

/** An image file could not be read (missing, a directory, no permission). */
export class ImageReadError extends TasamError<'IMAGE_READ'> {
  constructor(
    readonly path: string,
    options: { cause?: unknown } = {},
  ) {
    const why = options.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('IMAGE_READ', `${path}: cannot read image file${why}`, options);
  }
}
