import { join } from 'node:path';
import type { EncoderBackend, ProgressListener } from '../encoder-backend';
import { TextModelLoadError, TextModelMissingError } from '../errors';
import { meanPool } from './mean-pooling';
import { fingerprint, inspectMiniLmDir, MINILM_HUB_MODEL, type MiniLmModelDir } from './minilm-model-dir';
import { buildTokenBatch } from './token-batch';

/**
 * transformers.js is typed as an ES module and loads onnxruntime-node and sharp: import it dynamically, and
 * only when this backend is chosen.
 */
const loadTransformers = () => import('@huggingface/transformers');
type Transformers = Awaited<ReturnType<typeof loadTransformers>>;
type PreTrainedTokenizer = InstanceType<Transformers['PreTrainedTokenizer']>;
type PreTrainedModel = InstanceType<Transformers['PreTrainedModel']>;
type Tensor = InstanceType<Transformers['Tensor']>;

export interface MiniLmOptions {
  /** A local ONNX export of all-MiniLM-L6-v2 (config.json, tokenizer.json, onnx/model.onnx). */
  modelDir?: string;
  /** Fetch `Xenova/all-MiniLM-L6-v2` from the Hugging Face hub when `modelDir` holds no model. */
  allowDownload?: boolean;
  /** Where downloads are kept (transformers.js file-cache layout); transformers.js' own cache by default. */
  downloadDir?: string;
  onProgress?: ProgressListener;
}

/**
 * sentence-transformers/all-MiniLM-L6-v2 through transformers.js: tokenizer and BertModel graph from a local
 * directory, mean pooling over the attention mask here (L2 normalisation follows in the encoder). The hub is
 * contacted only when `allowDownload` is set and the directory holds no model.
 */
export async function loadMiniLm(options: MiniLmOptions): Promise<EncoderBackend> {
  let modelDir: MiniLmModelDir;
  try {
    if (options.modelDir === undefined) throw new TextModelMissingError(undefined, 'none given');
    modelDir = inspectMiniLmDir(options.modelDir);
  } catch (error) {
    if (!(error instanceof TextModelMissingError) || !options.allowDownload) throw error;
    modelDir = await downloadMiniLm(options.downloadDir, options.onProgress);
  }
  const id = `minilm:${modelDir.name}@${await fingerprint(modelDir.onnxPath)}`;
  options.onProgress?.(`loading ${id} from ${modelDir.dir}`);
  const { AutoModel, AutoTokenizer, Tensor } = await loadTransformers();
  try {
    // An absolute path is not a hub id, so transformers.js reads the files from it and never fetches.
    const tokenizer = await AutoTokenizer.from_pretrained(modelDir.dir, { local_files_only: true });
    const model = await AutoModel.from_pretrained(modelDir.dir, {
      local_files_only: true,
      subfolder: modelDir.subfolder,
      dtype: 'fp32',
      device: 'cpu',
    });
    return new MiniLmBackend(id, modelDir, tokenizer, model, Tensor);
  } catch (error) {
    throw new TextModelLoadError(
      id,
      `cannot load the model in ${modelDir.dir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Lets transformers.js fetch the hub model into its file cache, then uses that directory like a local one. */
async function downloadMiniLm(
  downloadDir: string | undefined,
  onProgress?: ProgressListener,
): Promise<MiniLmModelDir> {
  const { AutoModel, AutoTokenizer, env } = await loadTransformers();
  const cacheDir = downloadDir ?? env.cacheDir ?? undefined;
  if (!cacheDir) throw new TextModelLoadError(MINILM_HUB_MODEL, 'no download directory: pass downloadDir');
  onProgress?.(`downloading ${MINILM_HUB_MODEL} from the Hugging Face hub into ${cacheDir}`);
  const progress_callback = (event: { status: string; file?: string; progress?: number }) => {
    if (event.status === 'progress' && event.file)
      onProgress?.(`${event.file}: ${Math.round(event.progress ?? 0)}%`);
  };
  try {
    await AutoTokenizer.from_pretrained(MINILM_HUB_MODEL, { cache_dir: cacheDir, progress_callback });
    const model = await AutoModel.from_pretrained(MINILM_HUB_MODEL, {
      cache_dir: cacheDir,
      dtype: 'fp32',
      device: 'cpu',
      progress_callback,
    });
    await model.dispose();
  } catch (error) {
    throw new TextModelLoadError(
      MINILM_HUB_MODEL,
      `download from the Hugging Face hub failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return inspectMiniLmDir(join(cacheDir, MINILM_HUB_MODEL));
}

class MiniLmBackend implements EncoderBackend {
  readonly dim: number;
  readonly maxTokens: number;
  private readonly padId: number;

  constructor(
    readonly id: string,
    modelDir: MiniLmModelDir,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    private readonly Tensor: Transformers['Tensor'],
  ) {
    this.dim = modelDir.dim;
    this.maxTokens = modelDir.maxTokens;
    this.padId = tokenizer.pad_token_id ?? 0;
  }

  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    const rows = texts.map((text) => {
      const encoded = this.tokenizer(text, { return_tensor: false }) as unknown as {
        input_ids: number[];
        token_type_ids?: number[];
      };
      return { inputIds: encoded.input_ids, tokenTypeIds: encoded.token_type_ids };
    });
    const batch = buildTokenBatch(rows, this.maxTokens, this.padId);
    const inputs = {
      input_ids: new this.Tensor('int64', batch.inputIds, batch.dims),
      attention_mask: new this.Tensor('int64', batch.attentionMask, batch.dims),
      token_type_ids: new this.Tensor('int64', batch.tokenTypeIds, batch.dims),
    };
    const outputs = (await this.model(inputs)) as { last_hidden_state?: Tensor };
    const hidden = outputs.last_hidden_state;
    if (hidden?.dims.length !== 3 || hidden.dims[2] !== this.dim)
      throw new TextModelLoadError(
        this.id,
        `the graph must output last_hidden_state [batch, tokens, ${this.dim}], got ${hidden ? `[${hidden.dims.join(',')}]` : 'none'}`,
      );
    const pooled = meanPool(hidden.data as Float32Array, hidden.dims, batch.attentionMask);
    hidden.dispose();
    return pooled;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
