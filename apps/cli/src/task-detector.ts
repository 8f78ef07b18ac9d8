import { type RgbImage, rgbImageDigest } from '@tasam/coco-data';
import {
  CachedDetector,
  CocoDetector,
  DEFAULT_DETECTOR_MODELS,
  type Detecting,
  DetectionCache,
  type DetectionCacheStatus,
  type DetectorModelName,
} from '@tasam/detector';

export interface TaskDetectorOptions {
  detectorModelDir?: string;
  detectorModels?: DetectorModelName[];
}

/**
 * The COCO detector of grounded task mode, loaded at most once: its files are read and checked on the calling
 * thread, its models built in worker threads meanwhile. With a detection cache (`cacheDir`), what it found for an
 * image and a set of categories is kept, so the same image asked again needs no detector, and an image seen
 * before does not start it until a cache miss asks for it.
 */
export class TaskDetector {
  readonly cache?: DetectionCache;
  private loading?: Promise<CocoDetector>;
  private cached?: CachedDetector;
  private decided = false;

  constructor(
    private readonly options: TaskDetectorOptions,
    cacheDir?: string,
  ) {
    // The cache's key names the shipped files' checksums, which CocoDetector.load checks (its default).
    if (cacheDir)
      this.cache = new DetectionCache(cacheDir, options.detectorModels ?? DEFAULT_DETECTOR_MODELS);
  }

  /** Starts loading the models (once) and returns the load. */
  start(): Promise<CocoDetector> {
    if (!this.loading) {
      this.loading = CocoDetector.load({
        modelDir: this.options.detectorModelDir,
        models: this.options.detectorModels,
      });
      // Awaited later: keep a failed load from becoming an unhandled rejection while other work is awaited.
      this.loading.catch(() => undefined);
    }
    return this.loading;
  }

  /**
   * Starts the models now unless the cache holds something for this image: loading and warming them is the
   * longest step before the first box reaches SAM, and a hit needs none of it. Decides once; later calls do
   * nothing.
   */
  startUnlessCached(image: RgbImage): void {
    if (this.decided) return;
    this.decided = true;
    if (!this.cache?.hasImage(rgbImageDigest(image))) void this.start();
  }

  /** What finds the boxes: the cache in front of the models when there is one. */
  detecting(log?: (message: string) => void): Detecting {
    if (!this.cache) return { detect: async (image, options) => (await this.start()).detect(image, options) };
    this.cached ??= new CachedDetector(this.cache, () => this.start(), log);
    return this.cached;
  }

  /** The cache's answer to the last detection ('off' without a cache, undefined before any). */
  cacheStatus(): DetectionCacheStatus | 'off' | undefined {
    return this.cache ? this.cached?.statuses.at(-1) : 'off';
  }

  /** Releases the models if they were loaded; never throws. */
  async dispose(): Promise<void> {
    await this.loading?.then((detector) => detector.dispose()).catch(() => undefined);
  }
}
