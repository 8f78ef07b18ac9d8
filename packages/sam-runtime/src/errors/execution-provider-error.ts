import { TasamError } from '@tasam/errors';

/** The requested onnxruntime execution provider is not available in this onnxruntime-node build. */
export class ExecutionProviderError extends TasamError<'EXECUTION_PROVIDER_UNAVAILABLE'> {
  constructor(
    readonly provider: string,
    readonly available: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    super(
      'EXECUTION_PROVIDER_UNAVAILABLE',
      `execution provider "${provider}": not available here (usable: ${available.join(', ') || 'none'})`,
      options,
    );
  }
}
