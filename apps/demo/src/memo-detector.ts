import { type RgbImage, rgbImageDigest } from '@tasam/coco-data';
import type { Detection, DetectOptions } from '@tasam/detector';
import type { DetectorLike } from '@tasam/task-segmentation';

/** Answers kept: the most recent, by image and options (a few hundred bytes each). */
export const MEMO_DETECTIONS = 64;

/**
 * The detector's answers kept per image content (the pixels' digest: the model worker receives a copy of the
 * pixels with each request, so object identity would never repeat) and options, the most recent MEMO_DETECTIONS:
 * a second task of the same categories on an uploaded image reuses its boxes instead of running the detector
 * again. A failed detection is not kept.
 */
export function memoDetector(detector: DetectorLike, most = MEMO_DETECTIONS): DetectorLike {
  const answers = new Map<string, Promise<Detection[]>>();
  return {
    detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]> {
      const key = `${rgbImageDigest(image)} ${optionsKey(options)}`;
      let answer = answers.get(key);
      if (answer) {
        // Most recent last: re-inserting keeps the map in order of use.
        answers.delete(key);
      } else {
        answer = detector.detect(image, options);
        answer.catch(() => answers.delete(key));
      }
      answers.set(key, answer);
      while (answers.size > most) answers.delete(answers.keys().next().value as string);
      return answer;
    },
  };
}

/** The options as a key: the categories as a sorted set, the rest by name. */
function optionsKey(options: DetectOptions = {}): string {
  const { categoryIds, ...rest } = options;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
  const ids = categoryIds ? [...new Set(categoryIds)].sort((a, b) => a - b) : null;
  return JSON.stringify({ ...sorted, categoryIds: ids });
}
