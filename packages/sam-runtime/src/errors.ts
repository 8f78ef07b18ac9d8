import { TasamError } from '@tasam/errors';

export class SamModelMissingError extends TasamError<'SAM_MODEL_MISSING'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('SAM_MODEL_MISSING', `${input}: ${problem}`, options);
  }
}
