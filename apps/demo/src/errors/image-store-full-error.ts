import { TasamError } from '@tasam/errors';

/**
 * Every image in the store belongs to a session that used it recently, and an upload without a session (or
 * with nothing of its own to give up) may not evict them: 503 with a `Retry-After` until the first one idles.
 */
export class ImageStoreFullError extends TasamError<'DEMO_STORE_FULL'> {
  constructor(
    readonly capacity: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'DEMO_STORE_FULL',
      `the image store is full: its ${capacity} images are in use by live sessions; ` +
        `retry in ${retryAfterSeconds} s`,
    );
  }
}
