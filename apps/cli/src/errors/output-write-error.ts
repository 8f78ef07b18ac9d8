import { TasamError } from '@tasam/errors';

/** An output file (manifest, report) could not be written. */
export class OutputWriteError extends TasamError<'OUTPUT_WRITE_FAILED'> {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super('OUTPUT_WRITE_FAILED', `cannot write ${path}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}
