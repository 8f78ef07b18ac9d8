import { TasamError } from '@tasam/errors';

/** A mask, overlay or cache file could not be written. */
export class OutputWriteError extends TasamError<'OUTPUT_WRITE_FAILED'> {
  constructor(
    readonly path: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('OUTPUT_WRITE_FAILED', `${path}: ${problem}`, options);
  }
}
