import { join, resolve } from 'node:path';
import { type CocoCategory, CocoDataset, type CocoImage, isCrowd } from '@tasam/coco-data';
import { EvalInputError } from './errors/eval-input-error';
import { type Shard, shardSlice } from './shard';

/** What one eval run covers: the images of its shard (file-name order) and the evaluated categories. */
export interface EvalSelection {
  dataset: CocoDataset;
  annotationsPath: string;
  imageDir: string;
  split: string;
  /** This shard's images, sorted by file name (the order `--limit` and `--shard` slice). */
  images: CocoImage[];
  /** Every image of the run before sharding (after `--limit`), for the merge's completeness check. */
  allImageIds: number[];
  /** Evaluated categories, by id. */
  categories: CocoCategory[];
}

export interface SelectionOptions {
  limit?: number;
  /** Category names or ids; default all. */
  categories?: readonly string[];
  shard: Shard;
}

/** Loads and validates the split's instances JSON (errors name the file and record), then selects. */
export async function selectEval(
  coco: string,
  split: string,
  options: SelectionOptions,
): Promise<EvalSelection> {
  const annotationsPath = join(resolve(coco), 'annotations', `instances_${split}.json`);
  const dataset = await CocoDataset.fromFile(annotationsPath);
  const byName = new Map(dataset.categories.map((c) => [c.name, c]));
  let categories = [...dataset.categories].sort((a, b) => a.id - b.id);
  if (options.categories && options.categories.length > 0) {
    categories = options.categories.map((wanted) => {
      const found = byName.get(wanted) ?? dataset.category(Number(wanted));
      if (!found) {
        throw new EvalInputError(
          annotationsPath,
          `no category "${wanted}" (known: ${[...byName.keys()].slice(0, 12).join(', ')}, ...)`,
        );
      }
      return found;
    });
    categories = [...new Map(categories.map((c) => [c.id, c])).values()].sort((a, b) => a.id - b.id);
  }
  let images = [...dataset.images].sort((a, b) =>
    a.file_name < b.file_name ? -1 : a.file_name > b.file_name ? 1 : 0,
  );
  if (options.limit !== undefined) images = images.slice(0, options.limit);
  if (images.length === 0) throw new EvalInputError(annotationsPath, 'the selection has no images');
  return {
    dataset,
    annotationsPath,
    imageDir: join(resolve(coco), split),
    split,
    images: shardSlice(images, options.shard),
    allImageIds: images.map((i) => i.id),
    categories,
  };
}

/** The selected categories with a non-crowd instance in an image, by id (the referring setting's tasks). */
export function presentCategories(selection: EvalSelection, imageId: number): number[] {
  const categoryIds = new Set(selection.categories.map((c) => c.id));
  const present = selection.dataset
    .annotationsOf(imageId)
    .filter((a) => categoryIds.has(a.category_id) && !isCrowd(a))
    .map((a) => a.category_id);
  return [...new Set(present)].sort((a, b) => a - b);
}
