import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SamRuntime } from '@tasam/sam-runtime';
import { createTextEncoder, type TextEncoder } from '@tasam/text-encoder';

/**
 * SAM and the USE-lite text encoder over the CLI's cache ($TASAM_CACHE or ~/.cache/tasam): the embeddings of
 * `tasam embed` / `tasam train` are reused, so the package's tool scripts do not re-encode images.
 */
export async function openCachedModels(): Promise<{ runtime: SamRuntime; encoder: TextEncoder }> {
  const cache = process.env.TASAM_CACHE
    ? resolve(process.env.TASAM_CACHE)
    : join(homedir(), '.cache', 'tasam');
  const runtime = await SamRuntime.create({
    embeddingCacheDir: join(cache, 'embeddings'),
    modelCacheDir: join(cache, 'models'),
  });
  const encoder = await createTextEncoder({ backend: 'use-lite', cacheDir: join(cache, 'text') });
  return { runtime, encoder };
}
