import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The default phrasing table's vectors, embedded once by `pnpm --filter @tasam/task-segmentation
 * grounding-vectors` and shipped in data/: embedding the ~550 phrasings and anchors costs ~1.5 s on every first
 * grounding otherwise. `<name>.bin` holds float32 little-endian vectors, one after another; `<name>.json` says
 * which encoder made them, for which texts, and the .bin's SHA-256.
 */
export const GROUNDING_VECTORS_NAME = 'grounding-vectors';

export interface GroundingVectorsManifest {
  /** The text encoder's `id` (model and version). */
  encoderId: string;
  dim: number;
  count: number;
  /** SHA-256 of the texts, JSON-encoded in order. */
  textsSha256: string;
  /** SHA-256 of the .bin file. */
  sha256: string;
}

/** data/ of the package: two levels above this file in src/grounding and in dist/grounding alike. */
export function groundingVectorsDir(): string {
  return join(__dirname, '..', '..', 'data');
}

export function textsDigest(texts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(texts)).digest('hex');
}

/**
 * The shipped vectors of exactly these texts by exactly this encoder, or undefined (then the caller embeds
 * them): missing files, another encoder or version, other texts (a changed table), a wrong size or a
 * checksum that does not match all mean "not usable", never an error, since embedding gives the same vectors.
 */
export function loadGroundingVectors(
  encoderId: string,
  texts: readonly string[],
  dir = groundingVectorsDir(),
): Float32Array[] | undefined {
  const manifestPath = join(dir, `${GROUNDING_VECTORS_NAME}.json`);
  const binPath = join(dir, `${GROUNDING_VECTORS_NAME}.bin`);
  if (!existsSync(manifestPath) || !existsSync(binPath)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as GroundingVectorsManifest;
    if (manifest.encoderId !== encoderId || manifest.count !== texts.length) return undefined;
    if (manifest.textsSha256 !== textsDigest(texts)) return undefined;
    const bytes = readFileSync(binPath);
    if (bytes.length !== manifest.count * manifest.dim * 4) return undefined;
    if (createHash('sha256').update(bytes).digest('hex') !== manifest.sha256) return undefined;
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    return texts.map((_, i) => all.slice(i * manifest.dim, (i + 1) * manifest.dim));
  } catch {
    return undefined;
  }
}

/** The .bin and manifest of `vectors` (what the grounding-vectors script writes). */
export function encodeGroundingVectors(
  encoderId: string,
  texts: readonly string[],
  vectors: readonly Float32Array[],
): { bin: Uint8Array; manifest: GroundingVectorsManifest } {
  const dim = vectors[0]?.length ?? 0;
  const all = new Float32Array(vectors.length * dim);
  vectors.forEach((vector, i) => {
    if (vector.length !== dim)
      throw new RangeError(`vector ${i} has ${vector.length} values, expected ${dim}`);
    all.set(vector, i * dim);
  });
  const bin = new Uint8Array(all.buffer);
  return {
    bin,
    manifest: {
      encoderId,
      dim,
      count: vectors.length,
      textsSha256: textsDigest(texts),
      sha256: createHash('sha256').update(bin).digest('hex'),
    },
  };
}
