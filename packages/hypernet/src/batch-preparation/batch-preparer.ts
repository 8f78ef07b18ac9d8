import { loadImageRgb, type Rle } from '@tasam/coco-data';
import type { ImageSize, Prompt, SamRuntime, Tensor32, TrunkOutput } from '@tasam/sam-runtime';
import { letterboxTarget } from '../letterbox-target';

/** What a training batch needs computed: one image, its distinct prompts, and each sample's target. */
export interface BatchRequest {
  imagePath: string;
  size: ImageSize;
  /** The batch's distinct prompts (samples that share a prompt share its trunk run). */
  prompts: Prompt[];
  /** Each sample's target at the image's size. */
  targets: Rle[];
}

/** The trunk outputs of a batch's prompts and its samples' targets in the 256x256 low-res frame. */
export interface PreparedBatch {
  trunk: TrunkOutput;
  targets: Uint8Array[];
}

/** Turns batch requests into trunk outputs and low-res targets, in request order. */
export interface BatchPreparer {
  prepare(request: BatchRequest): Promise<PreparedBatch>;
  /** Frees what the preparer holds (a worker thread). */
  close(): Promise<void>;
}

/**
 * Prepares batches on the calling thread: the image's embedding (SamRuntime's cache, the last image's kept,
 * since an image's batches come one after another), one batched trunk run, the targets letterboxed.
 */
export class InThreadBatchPreparer implements BatchPreparer {
  private lastImage?: { path: string; embedding: Promise<Tensor32> };

  constructor(private readonly runtime: SamRuntime) {}

  private embeddingOf(imagePath: string): Promise<Tensor32> {
    if (this.lastImage?.path === imagePath) return this.lastImage.embedding;
    const embedding = loadImageRgb(imagePath)
      .then((image) => this.runtime.embedImage(image))
      .then((r) => r.embedding);
    this.lastImage = { path: imagePath, embedding };
    return embedding;
  }

  async prepare(request: BatchRequest): Promise<PreparedBatch> {
    const embedding = await this.embeddingOf(request.imagePath);
    const trunk = await this.runtime.trunk(embedding, request.prompts, request.size);
    return { trunk, targets: request.targets.map(letterboxTarget) };
  }

  async close(): Promise<void> {
    this.lastImage = undefined;
  }
}
