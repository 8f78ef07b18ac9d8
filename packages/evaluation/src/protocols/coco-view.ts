import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvalSelection } from '../eval-selection';

/**
 * A COCO directory holding only the selection: `annotations/instances_<split>.json` with this shard's images
 * and their annotations of the evaluated categories, and `<split>/` linked to the real image directory. It lets
 * code that evaluates a whole COCO directory (the hypernet's 1-click and category evaluation) run on one shard.
 */
export async function writeCocoView(selection: EvalSelection, dir: string): Promise<string> {
  const imageIds = new Set(selection.images.map((i) => i.id));
  const categoryIds = new Set(selection.categories.map((c) => c.id));
  const { dataset } = selection;
  const json = {
    images: selection.images,
    annotations: dataset.annotations.filter(
      (a) => imageIds.has(a.image_id) && categoryIds.has(a.category_id),
    ),
    categories: dataset.categories,
  };
  await mkdir(join(dir, 'annotations'), { recursive: true });
  await writeFile(join(dir, 'annotations', `instances_${selection.split}.json`), JSON.stringify(json));
  await symlink(selection.imageDir, join(dir, selection.split), 'dir');
  return dir;
}
