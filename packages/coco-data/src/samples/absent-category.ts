import type { CocoCategory, CocoDataset } from '../coco';
import type { SeededRandom } from '../sampling';

/**
 * A category with no annotation at all in the image (crowd included), so a task naming it has an empty target.
 * With probability `hardProbability` it is drawn from the supercategory of `nearCategoryId` when the image lacks
 * one of those (a hard negative: "dog" for a cat), otherwise from all absent categories. Undefined when the image
 * has every category.
 */
export function pickAbsentCategory(
  dataset: CocoDataset,
  imageId: number,
  nearCategoryId: number,
  random: SeededRandom,
  hardProbability: number,
): CocoCategory | undefined {
  const present = new Set(dataset.annotationsOf(imageId).map((a) => a.category_id));
  const absent = dataset.categories.filter((c) => !present.has(c.id));
  if (absent.length === 0) return undefined;
  const supercategory = dataset.category(nearCategoryId)?.supercategory;
  const hard = absent.filter((c) => c.supercategory !== undefined && c.supercategory === supercategory);
  return hard.length > 0 && random.chance(hardProbability) ? random.pick(hard) : random.pick(absent);
}
