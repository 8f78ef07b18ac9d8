import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The one place tasam keeps derived data (image embeddings, detector boxes, prepared ONNX models, task LoRAs,
 * text vectors): `$TASAM_CACHE` when set, else `~/.cache/tasam` (or `$XDG_CACHE_HOME/tasam`). Each kind gets a
 * subdirectory.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TASAM_CACHE) return resolve(env.TASAM_CACHE);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), 'tasam');
  return join(homedir(), '.cache', 'tasam');
}

export type CacheKind = 'embeddings' | 'detections' | 'models' | 'loras' | 'text';

export function cacheDir(kind: CacheKind, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), kind);
}
