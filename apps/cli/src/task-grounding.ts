import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GROUNDING_VERSION, type Grounding, TaskGrounder } from '@tasam/task-segmentation';
import type { TextEncoder } from '@tasam/text-encoder';
import { writeFileAtomic } from './atomic-file';

/**
 * Groundings of tasks, cached as small JSON files keyed by (grounder version, encoder, task text): a task seen
 * before costs reading one file instead of loading the text encoder (~2.6 s) and embedding the phrasings.
 */
export async function groundTasks(
  tasks: readonly string[],
  encoder: () => Promise<TextEncoder>,
  options: { cacheDir?: string; encoderName?: string } = {},
): Promise<{ groundings: Grounding[]; cached: number }> {
  const file = (task: string) => {
    if (!options.cacheDir) return undefined;
    const key = createHash('sha256')
      .update(`${GROUNDING_VERSION}\u0000${options.encoderName ?? 'use-lite'}\u0000${task}`)
      .digest('hex')
      .slice(0, 16);
    return join(options.cacheDir, `ground-${key}.json`);
  };
  const found: (Grounding | undefined)[] = await Promise.all(
    tasks.map(async (task) => {
      const path = file(task);
      if (!path || !existsSync(path)) return undefined;
      try {
        const cached = JSON.parse(await readFile(path, 'utf8')) as Grounding;
        // A file from another version or for another text is recomputed, not trusted.
        return cached.task === task && typeof cached.grounded === 'boolean' ? cached : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const missing = tasks.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    const grounder = await TaskGrounder.create(await encoder());
    const fresh = await grounder.groundMany(missing);
    let next = 0;
    for (let i = 0; i < tasks.length; i++) {
      if (found[i]) continue;
      found[i] = fresh[next++];
      const path = file(tasks[i]);
      if (path) await writeFileAtomic(path, JSON.stringify(found[i]));
    }
  }
  return { groundings: found as Grounding[], cached: tasks.length - missing.length };
}
