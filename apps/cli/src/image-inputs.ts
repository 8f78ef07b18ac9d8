import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { ImageInputError } from './errors/image-input-error';

/** Extensions sharp decodes that tasam accepts as images. */
export const imageExtensions = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.gif'] as const;

export interface ImageInput {
  /** Absolute path. */
  path: string;
  /** Stable name for manifests and logs: the path relative to the listed directory, with `/` separators. */
  name: string;
}

const byName = (a: ImageInput, b: ImageInput) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return !name.startsWith('.') && imageExtensions.some((ext) => lower.endsWith(ext));
}

/**
 * Every image under `dir` (recursively, hidden entries skipped), sorted by relative path in code-point
 * order, so every machine and every shard sees the same list.
 */
export async function listImageDir(dir: string): Promise<ImageInput[]> {
  const root = resolve(dir);
  const info = await stat(root).catch((cause) => {
    throw new ImageInputError(dir, 'no such directory', { cause });
  });
  if (!info.isDirectory()) throw new ImageInputError(dir, 'not a directory');
  const found: ImageInput[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const entries = await readdir(current, { withFileTypes: true }).catch((cause) => {
      throw new ImageInputError(current, 'cannot list the directory', { cause });
    });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() && isImageName(entry.name)) {
        found.push({ path, name: relative(root, path).split(sep).join('/') });
      }
    }
  }
  if (found.length === 0) {
    throw new ImageInputError(dir, `no images (${imageExtensions.join(', ')}) in the directory`);
  }
  return found.sort(byName);
}

/** The instances JSON of a COCO split: `<coco>/annotations/instances_<split>.json`. */
export function cocoAnnotationsPath(cocoDir: string, split: string): string {
  return join(resolve(cocoDir), 'annotations', `instances_${split}.json`);
}

/**
 * The images of a COCO split, from its instances JSON, as files under `<coco>/<split>/`, sorted by file name.
 * Only the image list is read here; annotations are the evaluation's business.
 */
export async function listCocoSplit(cocoDir: string, split: string): Promise<ImageInput[]> {
  const annotations = cocoAnnotationsPath(cocoDir, split);
  const text = await readFile(annotations, 'utf8').catch((cause) => {
    throw new ImageInputError(annotations, `cannot read the annotations of split "${split}"`, { cause });
  });
  let images: unknown;
  try {
    images = (JSON.parse(text) as { images?: unknown }).images;
  } catch (cause) {
    throw new ImageInputError(annotations, 'not valid JSON', { cause });
  }
  if (!Array.isArray(images)) throw new ImageInputError(annotations, 'has no "images" array');
  const imageDir = join(resolve(cocoDir), split);
  const inputs = images.map((image, i) => {
    const fileName = (image as { file_name?: unknown })?.file_name;
    if (typeof fileName !== 'string' || fileName === '') {
      throw new ImageInputError(annotations, `images[${i}] has no file_name`);
    }
    return { path: join(imageDir, fileName), name: fileName };
  });
  if (inputs.length === 0) throw new ImageInputError(annotations, 'lists no images');
  return inputs.sort(byName);
}
