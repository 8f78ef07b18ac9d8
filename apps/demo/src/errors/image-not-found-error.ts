import { TasamError } from '@tasam/errors';

/** No uploaded image has this id (never uploaded, evicted from the cache, or not an id at all). */
export class ImageNotFoundError extends TasamError<'DEMO_IMAGE_NOT_FOUND'> {
  constructor(readonly imageId: string) {
    super(
      'DEMO_IMAGE_NOT_FOUND',
      `imageId ${JSON.stringify(imageId.slice(0, 64))}: no such image; upload it again with POST /api/images`,
    );
  }
}
