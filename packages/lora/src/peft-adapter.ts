import { readFileBytes, writeFileAtomic } from './atomic-file';
import { LoraAdapterError } from './errors/lora-adapter-error';
import { LoraShapeError } from './errors/lora-shape-error';
import { LoraValueError } from './errors/lora-value-error';
import { type LoraLayer, type LoraMetadata, LoraWeights } from './lora-weights';
import {
  decodeSafetensors,
  encodeSafetensors,
  float32Bytes,
  type SafetensorsTensor,
  tensorAsFloat32,
} from './safetensors';

/** PEFT's prefix for a LoRA on a submodule of SAM (`base_model.model` wraps the `Sam` module). */
export const PEFT_PREFIX = 'base_model.model.mask_decoder.';

/** The safetensors tensor name PEFT uses for a target's A or B matrix. */
export function peftTensorName(path: string, matrix: 'A' | 'B'): string {
  return `${PEFT_PREFIX}${path}.lora_${matrix}.weight`;
}

const PEFT_NAME = /^base_model\.model\.mask_decoder\.(.+)\.lora_([AB])\.weight$/;

/** Metadata keys with a meaning; anything else round-trips through `metadata.extra`. */
const RESERVED = new Set([
  'format',
  'peft_type',
  'r',
  'lora_alpha',
  'use_rslora',
  'target_modules',
  'bias',
  'text_encoder',
  'task',
]);

/**
 * The `__metadata__` block: the fields of PEFT's adapter_config.json that matter here (values are strings,
 * as the format requires; lists are JSON), plus what produced the LoRA.
 */
export function adapterMetadata(weights: LoraWeights): Record<string, string> {
  const { textEncoder, task, extra } = weights.metadata;
  return {
    ...extra,
    format: 'pt',
    peft_type: 'LORA',
    r: String(weights.rank),
    lora_alpha: String(weights.alpha),
    use_rslora: String(weights.rsLora),
    target_modules: JSON.stringify(weights.paths),
    bias: 'none',
    ...(textEncoder !== undefined ? { text_encoder: textEncoder } : {}),
    ...(task !== undefined ? { task } : {}),
  };
}

/** A LoRA as safetensors bytes with PEFT tensor names: A [r, in] and B [out, r] in float32. */
export function encodeLora(weights: LoraWeights): Uint8Array {
  const tensors: [string, SafetensorsTensor][] = [];
  for (const [path, layer] of weights.layers) {
    tensors.push([
      peftTensorName(path, 'A'),
      { dtype: 'F32', shape: [layer.rank, layer.inFeatures], data: float32Bytes(layer.a) },
    ]);
    tensors.push([
      peftTensorName(path, 'B'),
      { dtype: 'F32', shape: [layer.outFeatures, layer.rank], data: float32Bytes(layer.b) },
    ]);
  }
  return encodeSafetensors(tensors, adapterMetadata(weights));
}

export interface DecodeLoraOptions {
  /** Names the bytes in error messages (a file path). */
  source?: string;
  /** lora_alpha for files without it in their metadata (plain PEFT files keep it in adapter_config.json). */
  alpha?: number;
  /** Whether to use rsLoRA scaling when the metadata does not say. */
  rsLora?: boolean;
}

/**
 * Reads a PEFT-named LoRA from safetensors bytes. F32, F16, BF16 and F64 tensors are accepted (as float32).
 * Throws SafetensorsFormatError for a corrupt file, LoraAdapterError for tensors that are not LoRA pairs,
 * LoraShapeError for inconsistent ranks or shapes.
 */
export function decodeLora(bytes: Uint8Array, options: DecodeLoraOptions = {}): LoraWeights {
  const source = options.source ?? 'LoRA bytes';
  const { metadata, tensors } = decodeSafetensors(bytes, source);
  const pairs = new Map<string, { A?: [string, SafetensorsTensor]; B?: [string, SafetensorsTensor] }>();
  for (const [name, tensor] of tensors) {
    const match = PEFT_NAME.exec(name);
    if (!match)
      throw new LoraAdapterError(
        source,
        `tensor ${name} is not named ${PEFT_PREFIX}<module>.lora_{A,B}.weight`,
      );
    const pair = pairs.get(match[1]) ?? {};
    pair[match[2] as 'A' | 'B'] = [name, tensor];
    pairs.set(match[1], pair);
  }
  if (pairs.size === 0) throw new LoraAdapterError(source, 'it holds no LoRA tensors');

  const rank = metadata.r !== undefined ? parseNumber(source, 'r', metadata.r) : undefined;
  const alpha =
    metadata.lora_alpha !== undefined
      ? parseNumber(source, 'lora_alpha', metadata.lora_alpha)
      : options.alpha;
  if (alpha === undefined) {
    throw new LoraAdapterError(
      source,
      'no lora_alpha in its metadata; pass the adapter_config.json value as `alpha`',
    );
  }
  const layers = new Map<string, LoraLayer>();
  let layerRank = rank;
  for (const [path, pair] of pairs) {
    if (!pair.A || !pair.B) {
      throw new LoraAdapterError(
        source,
        `${path} has lora_${pair.A ? 'A' : 'B'} but no lora_${pair.A ? 'B' : 'A'}`,
      );
    }
    const a = pair.A[1];
    const b = pair.B[1];
    if (a.shape.length !== 2)
      throw new LoraShapeError(`${source}: ${path}`, `lora_A has shape [${a.shape}], expected [rank, in]`);
    if (b.shape.length !== 2)
      throw new LoraShapeError(`${source}: ${path}`, `lora_B has shape [${b.shape}], expected [out, rank]`);
    layerRank ??= a.shape[0];
    if (a.shape[0] !== layerRank || b.shape[1] !== layerRank) {
      throw new LoraShapeError(
        `${source}: ${path}`,
        `lora_A [${a.shape}] and lora_B [${b.shape}] do not have rank ${layerRank}`,
      );
    }
    const aValues = tensorAsFloat32(a);
    const bValues = tensorAsFloat32(b);
    if (!aValues || !bValues) {
      throw new LoraAdapterError(
        source,
        `${path} is stored as ${aValues ? b.dtype : a.dtype}, not a float type`,
      );
    }
    layers.set(path, {
      a: aValues,
      b: bValues,
      rank: layerRank,
      inFeatures: a.shape[1],
      outFeatures: b.shape[0],
    });
  }
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    // defineProperty: a key `__proto__` stays a key instead of becoming the object's prototype.
    if (!RESERVED.has(key))
      Object.defineProperty(extra, key, { value, writable: true, enumerable: true, configurable: true });
  }
  const meta: LoraMetadata = {
    ...(metadata.text_encoder !== undefined ? { textEncoder: metadata.text_encoder } : {}),
    ...(metadata.task !== undefined ? { task: metadata.task } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
  const rsLora =
    metadata.use_rslora !== undefined ? metadata.use_rslora === 'true' : (options.rsLora ?? false);
  try {
    return new LoraWeights({ rank: layerRank as number, alpha, rsLora, layers, metadata: meta });
  } catch (error) {
    // The checks of LoraWeights name the layer (or `rank`, `alpha`); say which file it is in.
    if (error instanceof LoraShapeError)
      throw new LoraShapeError(`${source}: ${error.input}`, error.problem, { cause: error });
    if (error instanceof LoraValueError) throw new LoraValueError(`${source}: ${error.input}`, error.problem);
    throw error;
  }
}

function parseNumber(source: string, key: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new LoraAdapterError(source, `metadata ${key}=${JSON.stringify(text)} is not a number`);
  }
  return value;
}

/** Saves a LoRA as a PEFT-named safetensors file, atomically (temp file + rename). */
export async function saveLora(path: string, weights: LoraWeights): Promise<void> {
  await writeFileAtomic(path, encodeLora(weights));
}

/** Loads a LoRA saved by saveLora (or by PEFT, given `alpha`). Errors name the file. */
export async function loadLora(
  path: string,
  options: Omit<DecodeLoraOptions, 'source'> = {},
): Promise<LoraWeights> {
  return decodeLora(await readFileBytes(path), { ...options, source: path });
}
