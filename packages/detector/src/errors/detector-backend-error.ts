import { TasamError } from '@tasam/errors';

/**
 * tfjs' wasm backend could not be made the active backend. The detector refuses to fall back to the pure-JS
 * cpu backend silently: it is 40-50x slower (16-23 s an image).
 */
export class DetectorBackendError extends TasamError<'DETECTOR_BACKEND'> {
  constructor(
    readonly activeBackend: string | undefined,
    options: { cause?: unknown } = {},
  ) {
    const why = options.cause instanceof Error ? ` (${options.cause.message})` : '';
    super(
      'DETECTOR_BACKEND',
      `detector: cannot switch tfjs to the wasm backend${why}; active backend: ${activeBackend ?? 'none'}. ` +
        'The detector does not run on the cpu backend (16-23 s an image)',
      options,
    );
  }
}
