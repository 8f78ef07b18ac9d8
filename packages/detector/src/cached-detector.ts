import { type RgbImage, rgbImageDigest } from '@tasam/coco-data';
import type { DetectionCache } from './detection-cache';
import { resolveDetectOptions } from './options';
import type { Detection, DetectOptions } from './types';

/** What a `CachedDetector.detect` call found in the cache: a hit, nothing, or an entry it rejected. */
export type DetectionCacheStatus = 'hit' | 'miss' | 'invalid';

/** What CachedDetector needs of the detector behind it (`CocoDetector`). */
export interface Detecting {
  detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]>;
}

/**
 * `detect` through a DetectionCache: a hit returns the stored detections without the detector; a miss (or an
 * entry the cache rejects) asks the detector, which is only then awaited (so a caller can start loading it
 * lazily, or not at all when `cache.hasImage` says the image was seen), and stores its answer.
 */
export class CachedDetector implements Detecting {
  /** Each `detect` call's cache status, in order. */
  readonly statuses: DetectionCacheStatus[] = [];

  constructor(
    readonly cache: DetectionCache,
    private readonly detector: () => Promise<Detecting>,
    private readonly log?: (message: string) => void,
  ) {}

  async detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]> {
    // Validates the options as `detect` would, before anything is read or run.
    const resolved = resolveDetectOptions(options, this.cache.models.length);
    const digest = rgbImageDigest(image);
    const found = this.cache.read(digest, resolved);
    this.statuses.push(found.status);
    if (found.status === 'hit') return found.detections;
    if (found.status === 'invalid')
      this.log?.(`detection cache entry rejected (${found.reason}); detecting again`);
    const detections = await (await this.detector()).detect(image, options);
    this.cache.write(digest, resolved, detections);
    return detections;
  }
}
