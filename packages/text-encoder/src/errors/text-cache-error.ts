import { TasamError } from '@tasam/errors';

/** The on-disk vector cache could not be written (permissions, full disk). */
export class TextCacheError extends TasamError<'TEXT_CACHE_WRITE'> {
  constructor(
    readonly path: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      'TEXT_CACHE_WRITE',
      `text vector cache ${path}: cannot write (${(options.cause as Error)?.message ?? 'unknown reason'}); ` +
        'choose another cacheDir or none',
      options,
    );
  }
}
