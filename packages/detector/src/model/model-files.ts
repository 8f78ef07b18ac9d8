import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

function verifyChecksum(path: string, bytes: Uint8Array): void {
  const expected = CENTERNET_SHA256[basename(path)];
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
  return json;
}

/**
 * Reads the graph JSON and the weight files it names from `modelDir`, checking each file's SHA-256 first
 * when `verify` is set, into the artifacts `loadGraphModel` takes. Nothing is fetched.
 */
export async function readModelArtifacts(modelDir: string, verify: boolean): Promise<tf.io.ModelArtifacts> {
  const graphPath = join(modelDir, CENTERNET_GRAPH_FILE);
  const graphBytes = await readModelFile(graphPath);
  if (verify) verifyChecksum(graphPath, graphBytes);
  const json = parseGraphJson(graphPath, graphBytes);
  const weightPaths = json.weightsManifest
    .flatMap((group) => group.paths)
    .map((path) => join(modelDir, path));
  const shards = await Promise.all(weightPaths.map(readModelFile));
  if (verify) {
    for (const [i, path] of weightPaths.entries()) verifyChecksum(path, shards[i]);
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
