import type { RgbImage } from '@tasam/coco-data';
import type * as Backend from './backend';
import { DetectorDisposedError } from './errors';
import { toRgbImage } from './image-input';
import { candidateThreshold, mergeDetections } from './merge';
import type { DetectorModel } from './model/detector-model';
import { defaultModelDir } from './model/model-files';
import { buildModel, modelInfo, readModel } from './model/model-specs';
import { WorkerDetectorModel } from './model/worker-model';
import { isYoloV8 } from './model/yolov8-constants';
import { YoloV8Model } from './model/yolov8-model';
import { nonMaxSuppression } from './nms';
import { resolveDetectOptions, resolveLoadOptions } from './options';
import { cornerTiles, cropRgb, fromTile } from './tiles';
import type {
  Detection,
  DetectOptions,
  DetectorImage,
  DetectorLoadOptions,
  DetectorModelName,
  ResolvedDetectOptions,
  ShippedModelName,
} from './types';

/**
 * COCO object detection (80 categories) on tfjs' wasm backend, from model files on disk: nothing is fetched.
 * By default an ensemble of two detectors (a MobileNetV3 CenterNet and a NanoDet) whose boxes are merged by
 * weighted box fusion; `load({ models: ['centernet'] })` runs one. Load once, call `detect` per image,
 * `dispose` at the end. With more than one model and more than one core, each model runs in a worker thread
 * of its own (wasm tfjs is single-threaded in Node), so the ensemble costs about its slower model's time.
 */
export class CocoDetector {
  /** The models' names and versions, joined by '+'. */
  readonly id: string;
  /** The models run on every image, in order. */
  readonly models: readonly DetectorModelName[];
  private disposed = false;

  private constructor(
    private readonly loaded: readonly DetectorModel[],
    /** Where the model files were read from. */
    readonly modelDir: string,
  ) {
    this.id = loaded.map((model) => model.id).join('+');
    this.models = loaded.map((model) => model.name);
  }

  /** Whether the models run in worker threads (`DetectorLoadOptions.parallel`). */
  get parallel(): boolean {
    return this.loaded.some((model) => model instanceof WorkerDetectorModel);
  }

  /**
   * Reads each model's graph JSON and weights from `modelDir` (default: the package's own models/), checks
   * their SHA-256 (unless `verify: false`), then builds the graphs on wasm tfjs: in this thread, or each in a
   * worker thread of its own (`parallel`).
   */
  static async load(options?: DetectorLoadOptions): Promise<CocoDetector> {
    const { modelDir, verify, models: all, parallel } = resolveLoadOptions(options, defaultModelDir);
    // YOLOv8 exports run on onnxruntime (its own threads) on this thread; the shipped tfjs models as below.
    const models = all.filter((name): name is ShippedModelName => !isYoloV8(name));
    const yolo = all.filter(isYoloV8);
    // Files are read and checked here, so a missing or altered file is a typed error whatever thread builds.
    // In model order, so the first model's problem is the one reported.
    const artifacts: ReturnType<typeof readModel>[] = [];
    for (const [i, name] of models.entries())
      artifacts.push(
        i === 0
          ? readModel(name, modelDir, verify)
          : artifacts[i - 1].then(() => readModel(name, modelDir, verify)),
      );
    // Awaited below, one by one: a later model's failure must not be unhandled while an earlier one builds.
    for (const read of artifacts) read.catch(() => undefined);
    const loaded: DetectorModel[] = [];
    try {
      for (const name of yolo) loaded.push(await YoloV8Model.load(name, modelDir, verify));
      if (parallel) {
        // Each worker starts now, before its files are read: its start-up (tfjs, ~0.2 s) overlaps the reading.
        const started = await Promise.allSettled(
          models.map((name, i) => {
            const { id, inputSize } = modelInfo(name);
            return WorkerDetectorModel.start(name, id, inputSize, artifacts[i], modelDir);
          }),
        );
        for (const result of started) if (result.status === 'fulfilled') loaded.push(result.value);
        const failed = started.find((result) => result.status === 'rejected');
        if (failed) throw (failed as PromiseRejectedResult).reason;
      } else {
        for (const [i, name] of models.entries())
          loaded.push(await buildModel(name, await artifacts[i], modelDir));
      }
    } catch (error) {
      for (const model of loaded) model.dispose();
      throw error;
    }
    // In the order asked (an ensemble's pass order).
    loaded.sort((a, b) => all.indexOf(a.name) - all.indexOf(b.name));
    return new CocoDetector(loaded, modelDir);
  }

  /**
   * Detects COCO objects in one image: boxes in the image's pixels (after EXIF orientation), clipped to it,
   * scores at least `scoreThreshold`, at most `maxDetections`, best first. One pass of each model (with
   * `augment: 'flip'` also one of the mirrored image), merged by `merge`: per-class NMS at `nmsIou`, or weighted
   * box fusion at `fusionIou` (the default with two models).
   */
  async detect(image: DetectorImage, options?: DetectOptions): Promise<Detection[]> {
    this.checkNotDisposed();
    const resolved = resolveDetectOptions(options, this.loaded.length);
    const passes = await this.passes(image, resolved, candidateThreshold(resolved));
    return mergeDetections(passes, resolved);
  }

  /**
   * The unmerged detections of each pass `detect` would run: for each model, the image, then with
   * `augment: 'flip'` its mirror (boxes mapped back: x' = width - x); with `tiles: true` a model's first pass also
   * holds its corner tiles' small boxes, after per-class NMS at `nmsIou`. Every decoded row scoring at least
   * `scoreThreshold` of the asked categories after the model's own duplicate removal (NanoDet's NMS), without
   * merging (only `scoreThreshold`, `categoryIds` and `augment` are used). For measurements:
   * `mergeDetections(passes, resolveDetectOptions(options, models))` gives what `detect` gives when the threshold
   * here is at most `candidateThreshold` of those options.
   */
  async detectPasses(image: DetectorImage, options?: DetectOptions): Promise<Detection[][]> {
    this.checkNotDisposed();
    const resolved = resolveDetectOptions(options, this.loaded.length);
    return this.passes(image, resolved, resolved.scoreThreshold);
  }

  private async passes(
    image: DetectorImage,
    options: ResolvedDetectOptions,
    scoreThreshold: number,
  ): Promise<Detection[][]> {
    const rgb: RgbImage = await toRgbImage(image);
    if (options.categoryIds?.size === 0) return [];
    this.checkNotDisposed();
    // Another package may have switched tfjs' global engine since load; models in worker threads have their own
    // engine, and starting wasm here as well would only take CPU from them.
    if (this.loaded.some((model) => !(model instanceof WorkerDetectorModel || model instanceof YoloV8Model)))
      await (require('./backend') as typeof Backend).ensureWasmBackend();
    const filter = { scoreThreshold, categoryIds: options.categoryIds };
    const mirrors = options.augment === 'flip' ? [false, true] : [false];
    // Cropped once, read by every model.
    const tiles = options.tiles
      ? cornerTiles(rgb.width, rgb.height).map((tile) => ({ tile, pixels: cropRgb(rgb, tile) }))
      : [];
    // Models in worker threads run at once; each model's passes (and models on this thread) run in turn.
    const perModel = await Promise.all(
      this.loaded.map(async (model) => {
        const passes: Detection[][] = [];
        for (const mirrored of mirrors) {
          this.checkNotDisposed();
          passes.push(await model.run(rgb, mirrored, filter));
        }
        if (tiles.length > 0) {
          // The tiles' small objects join the model's full-image pass, as if that pass had seen them; the
          // pass's own NMS then removes the boxes a tile and the full image both found.
          const found = [...passes[0]];
          for (const { tile, pixels } of tiles) {
            this.checkNotDisposed();
            found.push(...fromTile(await model.run(pixels, false, filter), tile, rgb.width, rgb.height));
          }
          passes[0] = nonMaxSuppression(found, options.nmsIou);
        }
        return passes;
      }),
    );
    return perModel.flat();
  }

  /** Releases the models' weights. Idempotent; `detect` afterwards throws DetectorDisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const model of this.loaded) model.dispose();
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new DetectorDisposedError();
  }
}
