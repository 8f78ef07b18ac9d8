import { TasamError } from '@tasam/errors';

/** A cache directory could not be removed (permissions, a busy file system). */
export class CacheClearError extends TasamError<'CACHE_CLEAR_FAILED'> {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super('CACHE_CLEAR_FAILED', `cannot clear ${path}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}
