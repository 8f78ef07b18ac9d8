import { TasamError } from '@tasam/errors';

/** The decoder graph does not have the structure the trunk/heads split relies on. */
export class ModelSurgeryError extends TasamError<'MODEL_SURGERY_FAILED'> {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super('MODEL_SURGERY_FAILED', `${input}: ${problem}`);
  }
}
