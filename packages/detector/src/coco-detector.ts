import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { ensureWasmBackend } from './backend';
import { decodeDetections } from './decode';
import { DetectorDisposedError, DetectorModelLoadError } from './errors';
import { toInputTensor, toRgbImage } from './image-input';
import { candidateThreshold, mergeDetections, mirrorDetections } from './merge';
import {
  CENTERNET_INPUT_NODE,
  CENTERNET_MODEL_ID,
  CENTERNET_OUTPUT_NODE,
  CENTERNET_ROW_LENGTH,
  DETECTOR_INPUT_SIZE,
} from './model/centernet-constants';
import { defaultModelDir, readModelArtifacts } from './model/model-files';
import { resolveDetectOptions, resolveLoadOptions } from './options';
import type {
  Detection,
  DetectOptions,
  DetectorImage,
  DetectorLoadOptions,
  ResolvedDetectOptions,
} from './types';

/**
 * COCO object detection (80 categories) with a MobileNetV3 CenterNet on tfjs' wasm backend, from model files
 * on disk: nothing is fetched. Load once, call `detect` per image, `dispose` at the end.
 */
export class CocoDetector {
  /** Model name and version. */
  readonly id = CENTERNET_MODEL_ID;
  /** Side of the square input every image is stretched to. */
  readonly inputSize = DETECTOR_INPUT_SIZE;
  private disposed = false;

  private constructor(
    private readonly model: GraphModel,
    /** Where the model files were read from. */
    readonly modelDir: string,
  ) {}

  /**
   * Reads centernet.json and centernet.bin from `modelDir` (default: the package's own models/), checks
   * their SHA-256 (unless `verify: false`), makes wasm tfjs' active backend and builds the graph.
   */
  static async load(options?: DetectorLoadOptions): Promise<CocoDetector> {
    const { modelDir, verify } = resolveLoadOptions(options, defaultModelDir);
    const artifacts = await readModelArtifacts(modelDir, verify);
    await ensureWasmBackend();
    let model: GraphModel;
    try {
      model = await loadGraphModel({ load: async () => artifacts });
    } catch (cause) {
      throw new DetectorModelLoadError(modelDir, `cannot build the graph: ${(cause as Error).message}`, {
        cause,
      });
    }
    const input = model.inputs.find((node) => node.name === CENTERNET_INPUT_NODE);
    const shape = input?.shape?.join(',');
    if (shape !== `1,${DETECTOR_INPUT_SIZE},${DETECTOR_INPUT_SIZE},3`) {
      model.dispose();
      throw new DetectorModelLoadError(
        modelDir,
        `expected an input ${CENTERNET_INPUT_NODE} of shape [1,${DETECTOR_INPUT_SIZE},${DETECTOR_INPUT_SIZE},3], ` +
          `found ${input ? `[${shape}]` : `inputs ${model.inputs.map((node) => node.name).join(', ')}`}`,
      );
    }
    return new CocoDetector(model, modelDir);
  }

  /**
   * Detects COCO objects in one image: boxes in the image's pixels (after EXIF orientation), clipped to it,
   * scores at least `scoreThreshold`, at most `maxDetections`, best first. One model pass, or with
   * `augment: 'flip'` two (the image and its mirror), merged by per-class NMS at `nmsIou` (`merge: 'nms'`) or
   * weighted box fusion at `fusionIou` (`merge: 'wbf'`).
   */
  async detect(image: DetectorImage, options?: DetectOptions): Promise<Detection[]> {
    this.checkNotDisposed();
    const resolved = resolveDetectOptions(options);
    const passes = await this.passes(image, resolved, candidateThreshold(resolved));
    return mergeDetections(passes, resolved);
  }

  /**
   * The unmerged detections of each model pass `detect` would run: `[image]`, or with `augment: 'flip'`
   * `[image, mirror]` with the mirror's boxes mapped back to the image (x' = width - x). Every decoded row
   * scoring at least `scoreThreshold` of the asked categories, in the model's order, without NMS (only
   * `scoreThreshold`, `categoryIds` and `augment` are used). For measurements: `mergeDetections(passes,
   * resolveDetectOptions(options))` gives what `detect` gives when the threshold here is at most
   * `candidateThreshold` of those options.
   */
  async detectPasses(image: DetectorImage, options?: DetectOptions): Promise<Detection[][]> {
    this.checkNotDisposed();
    const resolved = resolveDetectOptions(options);
    return this.passes(image, resolved, resolved.scoreThreshold);
  }

  private async passes(
    image: DetectorImage,
    options: ResolvedDetectOptions,
    scoreThreshold: number,
  ): Promise<Detection[][]> {
    const rgb = await toRgbImage(image);
    if (options.categoryIds?.size === 0) return [];
    this.checkNotDisposed();
    await ensureWasmBackend();
    const decode = (raw: Float32Array) =>
      decodeDetections(raw, rgb.width, rgb.height, {
        scoreThreshold,
        categoryIds: options.categoryIds,
        inputSize: this.inputSize,
      });
    const input = toInputTensor(rgb, this.inputSize);
    try {
      const passes = [decode(await this.run(input, false))];
      if (options.augment === 'flip') {
        this.checkNotDisposed();
        passes.push(mirrorDetections(decode(await this.run(input, true)), rgb.width));
      }
      return passes;
    } finally {
      input.dispose();
    }
  }

  /** One model pass on the input tensor, or on its left-right mirror: the raw output rows. */
  private async run(input: tf.Tensor4D, mirrored: boolean): Promise<Float32Array> {
    const output = tf.tidy(
      () =>
        this.model.execute(
          { [CENTERNET_INPUT_NODE]: mirrored ? tf.reverse(input, 2) : input },
          CENTERNET_OUTPUT_NODE,
        ) as tf.Tensor,
    );
    try {
      const [batch, , columns] = output.shape;
      if (output.rank !== 3 || batch !== 1 || columns !== CENTERNET_ROW_LENGTH) {
        throw new DetectorModelLoadError(
          this.modelDir,
          `output ${CENTERNET_OUTPUT_NODE} has shape [${output.shape.join(',')}], expected [1,N,${CENTERNET_ROW_LENGTH}]`,
        );
      }
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  }

  /** Releases the model's weights. Idempotent; `detect` afterwards throws DetectorDisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new DetectorDisposedError();
  }
}
