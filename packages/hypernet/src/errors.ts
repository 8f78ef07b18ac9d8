import { TasamError } from '@tasam/errors';

export class HypernetConfigError extends TasamError<'HYPERNET_CONFIG'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('HYPERNET_CONFIG', `${input}: ${problem}`, options);
  }
}
