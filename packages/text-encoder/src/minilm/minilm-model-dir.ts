import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TextModelLoadError, TextModelMissingError } from '../errors';

/** all-MiniLM-L6-v2 is trained and used with 256 tokens (sentence-transformers' max_seq_length). */
export const MINILM_DEFAULT_MAX_TOKENS = 256;
/** The hub repository with the ONNX export transformers.js loads when a download is allowed. */
export const MINILM_HUB_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** A checked local model directory in the transformers.js layout. */
export interface MiniLmModelDir {
  dir: string;
  /** `onnx` (transformers.js layout) or '' (graph at the top level). */
  subfolder: 'onnx' | '';
  onnxPath: string;
  /** Width of the token states, `hidden_size` in config.json. */
  dim: number;
  /** Texts are truncated to this many tokens, [CLS] and [SEP] included. */
  maxTokens: number;
  name: string;
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new TextModelLoadError(path, `is not readable JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Checks that `dir` holds a sentence-transformers ONNX export; names every missing file. */
export function inspectMiniLmDir(modelDir: string): MiniLmModelDir {
  const dir = resolve(modelDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new TextModelMissingError(dir, 'does not exist');
  const nested = join(dir, 'onnx', 'model.onnx');
  const flat = join(dir, 'model.onnx');
  const onnxPath = existsSync(nested) ? nested : existsSync(flat) ? flat : undefined;
  const missing = REQUIRED.filter((file) => !existsSync(join(dir, file)));
  if (!onnxPath) missing.push('onnx/model.onnx');
  if (missing.length > 0) throw new TextModelMissingError(dir, `missing ${missing.join(', ')}`);
  const config = readJson(join(dir, 'config.json'));
  const dim = Number(config.hidden_size);
  if (!Number.isInteger(dim) || dim <= 0)
    throw new TextModelLoadError(
      join(dir, 'config.json'),
      `hidden_size ${String(config.hidden_size)} is not a width`,
    );
  const sentenceConfigPath = join(dir, 'sentence_bert_config.json');
  const sentenceConfig = existsSync(sentenceConfigPath) ? readJson(sentenceConfigPath) : {};
  const positions = Number(config.max_position_embeddings) || Number.POSITIVE_INFINITY;
  const maxTokens = Math.min(Number(sentenceConfig.max_seq_length) || MINILM_DEFAULT_MAX_TOKENS, positions);
  return {
    dir,
    subfolder: onnxPath === nested ? 'onnx' : '',
    onnxPath: onnxPath!,
    dim,
    maxTokens,
    name: basename(dir),
  };
}

/** First 12 hex digits of the graph's SHA-256: two different weight files never share an encoder id. */
export async function fingerprint(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 12);
}
