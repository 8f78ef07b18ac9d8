import { TasamError } from '@tasam/errors';

/** A derived model file (e.g. the int8 encoder) does not have the SHA-256 its recipe is known to produce. */
export class ModelChecksumError extends TasamError<'MODEL_CHECKSUM_MISMATCH'> {
  constructor(
    readonly input: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('MODEL_CHECKSUM_MISMATCH', `${input}: SHA-256 ${actual}, expected ${expected}`);
  }
}
