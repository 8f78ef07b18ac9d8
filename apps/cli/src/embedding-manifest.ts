import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { ManifestError } from './errors/manifest-error';
import type { ImageInput } from './image-inputs';
import { formatShard, type Shard, shardName } from './shard';

/** What was embedded: a directory of images, or a COCO split. */
export type EmbeddingSource = { kind: 'dir'; dir: string } | { kind: 'coco'; dir: string; split: string };

export interface ManifestImage {
  /** The image's stable name (relative path, or COCO file_name). */
  name: string;
  path: string;
  width: number;
  height: number;
  /** The embedding's file name in the embedding cache directory. */
  embedding: string;
}

/** The record of one shard's run (`shard-003-of-008.json`), or of the merged whole (`manifest.json`). */
export interface EmbeddingManifest {
  format: 'tasam-embeddings';
  version: 1;
  source: EmbeddingSource;
  /** The encoder that made the embeddings: package version, SHA-256 of the model run, precision (absent: fp32). */
  encoder: { version: string; sha256: string; precision?: 'fp32' | 'int8' };
  /** The shard this manifest covers; null for the merged manifest. */
  shard: Shard | null;
  images: ManifestImage[];
}

export const mergedManifestName = 'manifest.json';
const shardFilePattern = /^shard-(\d+)-of-(\d+)\.json$/;

/** `coco-val2017-1a2b3c4d`, `dir-photos-5e6f7a8b`: readable, and distinct for distinct absolute paths. */
export function sourceId(source: EmbeddingSource): string {
  const dir = resolve(source.dir);
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  const name = source.kind === 'coco' ? `coco-${source.split}` : `dir-${basename(dir)}`;
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}`;
}

/**
 * Default home of a source's manifests: inside the embedding cache, so clearing it clears them too. The int8
 * encoder's manifests live apart (`…-int8`): its embeddings are other files, and one merge takes one encoder.
 */
export function defaultManifestDir(
  embeddingsDir: string,
  source: EmbeddingSource,
  precision: 'fp32' | 'int8' = 'fp32',
): string {
  return join(embeddingsDir, 'manifests', `${sourceId(source)}${precision === 'int8' ? '-int8' : ''}`);
}

export async function writeShardManifest(dir: string, manifest: EmbeddingManifest): Promise<string> {
  const path = join(dir, manifest.shard ? `${shardName(manifest.shard)}.json` : mergedManifestName);
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 1)}\n`);
  return path;
}

async function readManifest(path: string): Promise<EmbeddingManifest> {
  let parsed: EmbeddingManifest;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as EmbeddingManifest;
  } catch (cause) {
    throw new ManifestError(path, 'cannot read the shard manifest', { cause });
  }
  if (parsed?.format !== 'tasam-embeddings' || parsed.version !== 1 || !Array.isArray(parsed.images)) {
    throw new ManifestError(path, 'not a tasam embeddings manifest (format 1)');
  }
  return parsed;
}

export interface MergeResult {
  path: string;
  manifest: EmbeddingManifest;
  shardFiles: number;
}

/**
 * Merges the shard manifests in `dir` into `manifest.json`, in the order of `inputs` (the full sorted list).
 * Checks by content rather than by shard count, so runs with different n (or --workers) merge too: every
 * input must appear in some shard manifest and its embedding file must exist in `embeddingsDir`.
 */
export async function mergeShardManifests(
  dir: string,
  inputs: readonly ImageInput[],
  embeddingsDir: string,
): Promise<MergeResult> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const shardFiles = names.filter((name) => shardFilePattern.test(name)).sort();
  if (shardFiles.length === 0) {
    throw new ManifestError(
      dir,
      'no shard manifests (shard-*-of-*.json) to merge; run `tasam embed --shard i/n` first',
    );
  }
  const manifests = await Promise.all(shardFiles.map((name) => readManifest(join(dir, name))));
  const encoders = new Set(manifests.map((manifest) => manifest.encoder.sha256));
  if (encoders.size > 1) {
    throw new ManifestError(
      dir,
      'shard manifests were made with different encoders; clear the cache and re-run',
    );
  }
  const byName = new Map<string, ManifestImage>();
  for (const manifest of manifests) for (const image of manifest.images) byName.set(image.name, image);

  const images: ManifestImage[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    const image = byName.get(input.name);
    const file = image ? await stat(join(embeddingsDir, image.embedding)).catch(() => undefined) : undefined;
    if (image && file?.isFile() && file.size > 0) images.push(image);
    else missing.push(input.name);
  }
  if (missing.length > 0) {
    throw new ManifestError(
      dir,
      `${missing.length} of ${inputs.length} images have no embedding (first: ${missing.slice(0, 3).join(', ')}); ` +
        describeShardGaps(shardFiles),
    );
  }
  const merged: EmbeddingManifest = { ...manifests[0], shard: null, images };
  return { path: await writeShardManifest(dir, merged), manifest: merged, shardFiles: shardFiles.length };
}

/** `missing shards 3/8, 5/8` for each shard count seen, or why no shard looks missing. */
function describeShardGaps(shardFiles: readonly string[]): string {
  const seen = new Map<number, Set<number>>();
  for (const file of shardFiles) {
    const [, index, count] = shardFilePattern.exec(file)!.map(Number);
    if (!seen.has(count)) seen.set(count, new Set());
    seen.get(count)!.add(index);
  }
  const gaps: string[] = [];
  for (const [count, indices] of seen) {
    for (let index = 0; index < count; index++) {
      if (!indices.has(index)) gaps.push(formatShard({ index, count }));
    }
  }
  return gaps.length > 0
    ? `missing shards ${gaps.slice(0, 10).join(', ')}${gaps.length > 10 ? ` and ${gaps.length - 10} more` : ''}`
    : 'every shard reported; their embeddings were removed since (re-run the shards)';
}
