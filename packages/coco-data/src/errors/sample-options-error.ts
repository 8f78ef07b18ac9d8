import { TasamError } from '@tasam/errors';

/** Options for sampling, task synthesis or the sample stream are out of range (shard 3 of 2, k < 0, ...). */
export class SampleOptionsError extends TasamError<'SAMPLE_OPTIONS'> {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super('SAMPLE_OPTIONS', `${option}: ${problem}`);
  }
}
