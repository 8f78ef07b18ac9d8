import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { DetectorModelChecksumError, DetectorModelLoadError, DetectorModelReadError } from '../errors';
import { CENTERNET_GRAPH_FILE, CENTERNET_SHA256 } from './centernet-constants';

const PACKAGE_NAME = '@tasam/detector';

let packageModelDir: string | undefined;

/**
 * The package's own `models/` directory: found by walking up from this file to the package.json named
 * @tasam/detector, so it is the same from src/ (tests), dist/ (built) and dist-bench/src/ (benchmark).
 */
export function defaultModelDir(): string {
  if (packageModelDir) return packageModelDir;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
          packageModelDir = join(dir, 'models');
          return packageModelDir;
        }
      } catch {
        // not our package.json; keep walking up
      }
    }
    if (dirname(dir) === dir) return join(__dirname, '..', '..', 'models');
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The graph JSON as tfjs' converter writes it. */
interface GraphModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

async function readModelFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new DetectorModelReadError(path, { cause });
  }
}

function verifyChecksum(path: string, bytes: Uint8Array, checksums: Readonly<Record<string, string>>): void {
  const expected = checksums[basename(path)];
  if (expected === undefined) {
    throw new DetectorModelLoadError(path, 'no SHA-256 is known for this file; load with verify: false');
  }
  const actual = sha256Hex(bytes);
  if (actual !== expected) throw new DetectorModelChecksumError(path, expected, actual);
}

/** Node's Buffer may view a shared pool; tfjs wants an ArrayBuffer holding exactly the bytes. */
function exactArrayBuffer(bytes: Buffer): ArrayBuffer {
  const { byteOffset, byteLength } = bytes;
  if (byteOffset === 0 && byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer;
}

function parseGraphJson(path: string, bytes: Buffer): GraphModelJson {
  let json: GraphModelJson;
  try {
    json = JSON.parse(bytes.toString('utf8')) as GraphModelJson;
  } catch (cause) {
    throw new DetectorModelLoadError(path, 'is not valid JSON', { cause });
  }
  const manifestOk =
    Array.isArray(json?.weightsManifest) &&
    json.weightsManifest.every((group) => Array.isArray(group?.paths) && Array.isArray(group?.weights));
  if (typeof json?.modelTopology !== 'object' || json.modelTopology === null || !manifestOk) {
    throw new DetectorModelLoadError(
      path,
      'is not a tfjs graph model (needs modelTopology and weightsManifest)',
    );
  }
  const problem = manifestProblem(json.weightsManifest);
  if (problem) throw new DetectorModelLoadError(path, `weightsManifest: ${problem}`);
  return json;
}

/** Bytes per value of the weight dtypes tfjs graph models store, and of their quantised forms. */
const WEIGHT_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };
const QUANTIZED_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * What is wrong with a weights manifest, if anything: weight files must be plain relative paths inside the
 * model directory (no `..`, no absolute paths, so nothing else is read), and each weight a name, a shape of
 * whole numbers and a numeric dtype (quantised or not), so its size in bytes is known before reading.
 */
function manifestProblem(manifest: GraphModelJson['weightsManifest']): string | undefined {
  for (const group of manifest) {
    for (const file of group.paths) {
      if (typeof file !== 'string' || file === '')
        return `weight file ${JSON.stringify(file)} is not a file name`;
      if (isAbsolute(file) || normalize(file).split(/[\\/]/).includes('..'))
        return `weight file ${JSON.stringify(file)} is outside the model directory`;
    }
    for (const weight of group.weights as unknown[]) {
      const { name, shape, dtype, quantization } = (weight ?? {}) as Record<string, unknown>;
      if (typeof name !== 'string') return `a weight has no name (${JSON.stringify(weight)?.slice(0, 80)})`;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
        return `weight ${name}: shape ${JSON.stringify(shape)} is not a list of whole numbers`;
      if (typeof dtype !== 'string' || WEIGHT_BYTES[dtype] === undefined)
        return `weight ${name}: dtype ${JSON.stringify(dtype)} is not float32, int32 or bool`;
      if (quantization !== undefined) {
        const q = (quantization ?? {}) as Record<string, unknown>;
        if (typeof q.dtype !== 'string' || QUANTIZED_BYTES[q.dtype] === undefined)
          return `weight ${name}: quantization dtype ${JSON.stringify(q.dtype)} is not uint8, uint16 or float16`;
      }
    }
  }
  return undefined;
}

/** The bytes the manifest's weights take in the weight files, in total. */
function weightBytes(manifest: GraphModelJson['weightsManifest']): number {
  let total = 0;
  for (const group of manifest) {
    for (const weight of group.weights) {
      const values = weight.shape.reduce((p, d) => p * d, 1);
      total +=
        values *
        (weight.quantization
          ? QUANTIZED_BYTES[weight.quantization.dtype as string]
          : WEIGHT_BYTES[weight.dtype]);
    }
  }
  return total;
}

/**
 * Checks the weight files before reading them: regular files (not a FIFO or a device, which could block or
 * never end), and, unless checksums will vouch for them, together exactly as large as the manifest says, so
 * a manifest claiming gigabytes of weights is refused before anything is read or allocated.
 */
async function checkWeightFiles(
  graphPath: string,
  paths: readonly string[],
  expectedBytes: number | undefined,
) {
  let total = 0;
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (cause) {
      throw new DetectorModelReadError(path, { cause });
    }
    if (!info.isFile()) throw new DetectorModelReadError(path, { cause: new Error('not a regular file') });
    total += info.size;
  }
  if (expectedBytes !== undefined && total !== expectedBytes) {
    throw new DetectorModelLoadError(
      graphPath,
      `weightsManifest describes ${expectedBytes} bytes of weights, the weight files hold ${total}`,
    );
  }
}

/**
 * Reads the graph JSON (`graphFile`, default CenterNet's) and the weight files it names from `modelDir`,
 * checking each file's SHA-256 against `checksums` (by file name) first when `verify` is set, into the
 * artifacts `loadGraphModel` takes. Nothing is fetched.
 */
export async function readModelArtifacts(
  modelDir: string,
  verify: boolean,
  graphFile = CENTERNET_GRAPH_FILE,
  checksums: Readonly<Record<string, string>> = CENTERNET_SHA256,
): Promise<tf.io.ModelArtifacts> {
  const graphPath = join(modelDir, graphFile);
  const graphBytes = await readModelFile(graphPath);
  if (verify) verifyChecksum(graphPath, graphBytes, checksums);
  const json = parseGraphJson(graphPath, graphBytes);
  const weightPaths = json.weightsManifest
    .flatMap((group) => group.paths)
    .map((path) => join(modelDir, path));
  await checkWeightFiles(graphPath, weightPaths, verify ? undefined : weightBytes(json.weightsManifest));
  const shards = await Promise.all(weightPaths.map(readModelFile));
  if (verify) {
    for (const [i, path] of weightPaths.entries()) verifyChecksum(path, shards[i], checksums);
  }
  return {
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature as tf.io.ModelArtifacts['signature'],
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: shards.length === 1 ? exactArrayBuffer(shards[0]) : shards.map(exactArrayBuffer),
  };
}

/**
 * Reads one model file (e.g. an ONNX export) from `modelDir`, refusing what is not a regular file, and checks
 * its SHA-256 against `checksums` (by file name) when `verify` is set. Nothing is fetched.
 */
export async function readSingleModelFile(
  modelDir: string,
  file: string,
  verify: boolean,
  checksums: Readonly<Record<string, string>>,
): Promise<Buffer> {
  const path = join(modelDir, file);
  await checkWeightFiles(path, [path], undefined);
  const bytes = await readModelFile(path);
  if (verify) verifyChecksum(path, bytes, checksums);
  return bytes;
}
