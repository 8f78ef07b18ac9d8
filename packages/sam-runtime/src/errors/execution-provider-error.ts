import { TasamError } from '@tasam/errors';

/** The requested onnxruntime execution provider is unknown to this build or cannot start on this machine. */
export class ExecutionProviderError extends TasamError<'EXECUTION_PROVIDER_UNAVAILABLE'> {
  constructor(
    readonly provider: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('EXECUTION_PROVIDER_UNAVAILABLE', `execution provider "${provider}": ${problem}`, options);
  }
}
