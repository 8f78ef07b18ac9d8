import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { buildTrunkModel, TRUNK_SURGERY_VERSION } from './trunk-model';

/** The prepared trunk: a cached file when a cache directory is given, else the bytes in memory. */
export type PreparedTrunk = { path: string; built: boolean } | { bytes: Uint8Array; built: true };

/**
 * Returns the trunk model derived from the decoder, building it by graph surgery on first use. The cache file
 * name carries the decoder's content hash and the surgery version, so a changed decoder or recipe never
 * reuses a stale trunk; it is written atomically, so an interrupted build leaves no half file. `decoder` is
 * only called when the trunk has to be built.
 */
export function prepareTrunk(
  decoder: () => Uint8Array,
  decoderDigest: string,
  source: string,
  cacheDir?: string,
): PreparedTrunk {
  if (!cacheDir) return { bytes: buildTrunkModel(decoder(), source), built: true };
  const path = trunkCachePath(cacheDir, decoderDigest);
  if (existsSync(path) && statSync(path).size > 0) return { path, built: false };
  writeFileAtomic(path, buildTrunkModel(decoder(), source));
  return { path, built: true };
}

export function trunkCachePath(cacheDir: string, decoderDigest: string): string {
  return join(cacheDir, `sam-trunk-v${TRUNK_SURGERY_VERSION}-${decoderDigest.slice(0, 16)}.onnx`);
}

/** Where the decoder's head weights are cached (see head-weights-file.ts). */
export function headWeightsCachePath(cacheDir: string, decoderDigest: string): string {
  return join(cacheDir, `sam-heads-${decoderDigest.slice(0, 16)}.bin`);
}
