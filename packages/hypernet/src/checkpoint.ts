import {
  decodeSafetensors,
  encodeSafetensors,
  readFileBytes,
  tensorAsFloat32,
  writeFileAtomic,
} from '@tasam/lora';
import { CheckpointFormatError, CheckpointMismatchError } from './errors';
import { float16Bytes } from './float16';
import { type HypernetConfig, type HypernetTarget, resolveConfig } from './hypernet-config';
import { Hypernetwork } from './hypernetwork';
import { scorerParameterShapes, TaskMaskScorer, type TaskScorerConfig } from './task-mask-scorer';

export const CHECKPOINT_FORMAT = 'tasam-hypernet';
export const CHECKPOINT_VERSION = '1';

/** What a caller requires of a checkpoint; any field given is compared with the stored config. */
export interface CheckpointExpectation {
  textEncoderId?: string;
  targets?: readonly HypernetTarget[];
  rank?: number;
  alpha?: number;
}

export interface EncodeOptions {
  /** F16 halves the file (the shipped default); training checkpoints use F32. */
  dtype?: 'F32' | 'F16';
  /** Extra string metadata (e.g. training command, validation numbers). */
  metadata?: Record<string, string>;
  /** The task scorer trained beside the hypernetwork, stored as `scorer.*` tensors. */
  scorer?: TaskMaskScorer;
}

const SCORER_PREFIX = 'scorer.';

function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/** Named float arrays → safetensors bytes (F32 or F16). */
export function encodeArrays(
  arrays: ReadonlyMap<string, Float32Array>,
  shapes: ReadonlyMap<string, number[]>,
  dtype: 'F32' | 'F16',
  metadata: Record<string, string>,
): Uint8Array {
  const entries: [string, { dtype: string; shape: number[]; data: Uint8Array }][] = [];
  for (const [name, values] of arrays) {
    const shape = shapes.get(name) ?? [values.length];
    entries.push([
      name,
      { dtype, shape, data: dtype === 'F16' ? float16Bytes(values) : float32Bytes(values) },
    ]);
  }
  return encodeSafetensors(entries, metadata);
}

/** A hypernetwork as one safetensors file: its weights plus its config in `__metadata__`. */
export function encodeHypernet(net: Hypernetwork, options: EncodeOptions = {}): Uint8Array {
  const arrays = net.toArrays();
  const shapes = Hypernetwork.parameterShapes(net.config);
  const { scorer } = options;
  if (scorer) {
    const scorerShapes = scorerParameterShapes(scorer.config);
    for (const [name, values] of scorer.toArrays()) {
      arrays.set(SCORER_PREFIX + name, values);
      shapes.set(SCORER_PREFIX + name, scorerShapes.get(name) ?? [values.length]);
    }
  }
  // A stale scorer_config (e.g. metadata copied from another checkpoint) would name tensors this file lacks.
  const { scorer_config: _stale, ...metadata } = options.metadata ?? {};
  return encodeArrays(arrays, shapes, options.dtype ?? 'F32', {
    ...metadata,
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: JSON.stringify(net.config),
    ...(scorer ? { scorer_config: JSON.stringify(scorer.config) } : {}),
  });
}

/** Throws CheckpointMismatchError unless `config` matches every field of `expect`. */
export function checkCompatible(config: HypernetConfig, expect: CheckpointExpectation, source: string): void {
  if (expect.textEncoderId !== undefined && expect.textEncoderId !== config.textEncoderId) {
    throw new CheckpointMismatchError(source, 'text encoder', config.textEncoderId, expect.textEncoderId);
  }
  if (expect.rank !== undefined && expect.rank !== config.rank) {
    throw new CheckpointMismatchError(source, 'rank', config.rank, expect.rank);
  }
  if (expect.alpha !== undefined && expect.alpha !== config.alpha) {
    throw new CheckpointMismatchError(source, 'alpha', config.alpha, expect.alpha);
  }
  if (expect.targets !== undefined) {
    const key = (ts: readonly HypernetTarget[]) =>
      ts.map((t) => `${t.path}[${t.outFeatures},${t.inFeatures}]`);
    const stored = key(config.targets);
    const wanted = key(expect.targets);
    if (stored.join('|') !== wanted.join('|')) {
      throw new CheckpointMismatchError(source, 'targets', stored, wanted);
    }
  }
}

/** Reads the config and weights of a checkpoint, checking format, shapes and the caller's expectations. */
export function decodeHypernet(
  bytes: Uint8Array,
  source = 'hypernet checkpoint',
  expect: CheckpointExpectation = {},
): { net: Hypernetwork; metadata: Record<string, string>; scorer?: TaskMaskScorer } {
  let contents: ReturnType<typeof decodeSafetensors>;
  try {
    contents = decodeSafetensors(bytes, source);
  } catch (cause) {
    throw new CheckpointFormatError(source, 'not a valid safetensors file', { cause });
  }
  const { metadata, tensors } = contents;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointFormatError(
      source,
      `metadata.format is ${JSON.stringify(metadata.format)}, not ${CHECKPOINT_FORMAT}`,
    );
  }
  if (metadata.version !== CHECKPOINT_VERSION) {
    throw new CheckpointFormatError(
      source,
      `unsupported checkpoint version ${JSON.stringify(metadata.version)}`,
    );
  }
  let config: HypernetConfig;
  try {
    config = resolveConfig(JSON.parse(metadata.config ?? ''));
  } catch (cause) {
    throw new CheckpointFormatError(source, 'metadata.config is missing or invalid', { cause });
  }
  checkCompatible(config, expect, source);
  // The config says how many tensors there are (12 per transformer block): check it against the file before
  // listing them, so a config claiming 10^8 layers is refused instead of building a list of 10^9 names.
  const needed = parameterCount(config);
  if (needed > tensors.size) {
    throw new CheckpointFormatError(
      source,
      `metadata.config needs ${needed} tensors (${config.layers} layers), the file has ${tensors.size}`,
    );
  }
  const arrays = new Map<string, Float32Array>();
  for (const [name, shape] of Hypernetwork.parameterShapes(config)) {
    const tensor = tensors.get(name);
    if (!tensor) throw new CheckpointFormatError(source, `tensor ${name} is missing`);
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new CheckpointFormatError(
        source,
        `tensor ${name} has shape [${tensor.shape}], expected [${shape}]`,
      );
    }
    const values = tensorAsFloat32(tensor);
    if (!values)
      throw new CheckpointFormatError(source, `tensor ${name} has non-float dtype ${tensor.dtype}`);
    checkFinite(source, name, values);
    arrays.set(name, values);
  }
  const scorer = decodeScorer(contents, source);
  return { net: Hypernetwork.fromArrays(config, arrays), metadata, ...(scorer ? { scorer } : {}) };
}

/**
 * The task scorer stored in a checkpoint, or undefined when it has none (checkpoints from before the scorer).
 * Cheap: reads only the scorer's tensors, so the CLI can score tasks without loading the hypernetwork.
 */
export function decodeScorer(
  contents: ReturnType<typeof decodeSafetensors>,
  source = 'hypernet checkpoint',
): TaskMaskScorer | undefined {
  const { metadata, tensors } = contents;
  if (metadata.scorer_config === undefined) return undefined;
  let config: TaskScorerConfig;
  try {
    config = JSON.parse(metadata.scorer_config) as TaskScorerConfig;
  } catch (cause) {
    throw new CheckpointFormatError(source, 'metadata.scorer_config is not valid JSON', { cause });
  }
  const problem = scorerConfigProblem(config);
  if (problem) throw new CheckpointFormatError(source, `metadata.scorer_config ${problem}`);
  const arrays = new Map<string, Float32Array>();
  for (const [name, shape] of scorerParameterShapes(config)) {
    const tensor = tensors.get(SCORER_PREFIX + name);
    if (!tensor) throw new CheckpointFormatError(source, `tensor ${SCORER_PREFIX}${name} is missing`);
    if (tensor.shape.join(',') !== shape.join(','))
      throw new CheckpointFormatError(
        source,
        `tensor ${SCORER_PREFIX}${name} has shape [${tensor.shape}], expected [${shape}]`,
      );
    const values = tensorAsFloat32(tensor);
    if (!values)
      throw new CheckpointFormatError(source, `tensor ${SCORER_PREFIX}${name} has dtype ${tensor.dtype}`);
    checkFinite(source, SCORER_PREFIX + name, values);
    arrays.set(name, values);
  }
  return TaskMaskScorer.fromArrays(config, arrays);
}

/** How many tensors Hypernetwork.parameterShapes lists for `config`, without listing them. */
function parameterCount(config: HypernetConfig): number {
  const inputs = new Set(config.targets.map((t) => t.inFeatures)).size;
  const outputs = new Set(config.targets.map((t) => t.outFeatures)).size;
  // text_proj (2), text_token, module_embed, layer_embed, 12 per block, final_ln (2), head_a/head_b (2 each).
  return 5 + 12 * config.layers + 2 + 2 * inputs + 2 * outputs;
}

/** What is wrong with a stored scorer config, if anything: every size a positive integer. */
function scorerConfigProblem(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    return `is ${JSON.stringify(config)}, not an object`;
  const c = config as Record<string, unknown>;
  for (const key of ['featureDim', 'hidden', 'jointDim', 'textDim']) {
    if (!Number.isSafeInteger(c[key]) || (c[key] as number) < 1)
      return `field ${key} is ${JSON.stringify(c[key])}, not a positive integer`;
  }
  if (c.references !== undefined && !(Number.isSafeInteger(c.references) && (c.references as number) >= 0))
    return `field references is ${JSON.stringify(c.references)}, not a whole number`;
  return undefined;
}

/** Trained weights are finite; NaN or infinity means a corrupt file (or a diverged run) and would spread. */
function checkFinite(source: string, name: string, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new CheckpointFormatError(source, `tensor ${name} holds ${values[i]} at index ${i}`);
    }
  }
}

/** Reads only the task scorer of a checkpoint file (undefined when it has none). */
export async function loadTaskScorer(path: string): Promise<TaskMaskScorer | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileBytes(path);
  } catch (cause) {
    throw new CheckpointFormatError(path, 'cannot read the file', { cause });
  }
  let contents: ReturnType<typeof decodeSafetensors>;
  try {
    contents = decodeSafetensors(bytes, path);
  } catch (cause) {
    throw new CheckpointFormatError(path, 'not a valid safetensors file', { cause });
  }
  return decodeScorer(contents, path);
}

export async function saveHypernet(
  path: string,
  net: Hypernetwork,
  options: EncodeOptions = {},
): Promise<void> {
  await writeFileAtomic(path, encodeHypernet(net, options));
}

export async function loadHypernet(
  path: string,
  expect: CheckpointExpectation = {},
): Promise<{ net: Hypernetwork; metadata: Record<string, string>; scorer?: TaskMaskScorer }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileBytes(path);
  } catch (cause) {
    throw new CheckpointFormatError(path, 'cannot read the file', { cause });
  }
  return decodeHypernet(bytes, path, expect);
}
