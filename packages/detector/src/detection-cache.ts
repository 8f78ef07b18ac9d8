import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@tasam/atomic-file';
import { COCO_CATEGORIES } from '@tasam/coco-data';
import { CENTERNET_SHA256 } from './model/centernet-constants';
import { NANODET_SHA256 } from './model/nanodet-constants';
import { YOLOV8_FILES } from './model/yolov8-constants';
import type { Box, Detection, DetectorModelName, ResolvedDetectOptions } from './types';

/**
 * Version of what turns the models' outputs into detections (decoding, NMS, fusion, tiles). Bump it with any
 * change to that code: entries written before are then never read.
 */
export const DETECTION_CACHE_VERSION = 1;

const FILE_FORMAT = 1;
const CATEGORY_NAMES = new Map(COCO_CATEGORIES.map((category) => [category.id, category.name]));
const MODEL_FILES: Record<DetectorModelName, Readonly<Record<string, string>>> = {
  centernet: CENTERNET_SHA256,
  nanodet: NANODET_SHA256,
  ...Object.fromEntries(
    Object.entries(YOLOV8_FILES).map(([name, { file, sha256 }]) => [name, { [file]: sha256 }]),
  ),
} as Record<DetectorModelName, Readonly<Record<string, string>>>;

export type DetectionCacheRead =
  | { status: 'hit'; detections: Detection[] }
  | { status: 'miss' }
  | { status: 'invalid'; reason: string };

/** One cached entry as stored (JSON): the key in full, then each detection as [x1, y1, x2, y2, categoryId, score]. */
interface CacheFile {
  format: number;
  detector: string;
  image: string;
  options: CanonicalOptions;
  detections: unknown;
}

type CanonicalOptions = Omit<ResolvedDetectOptions, 'categoryIds'> & { categoryIds: number[] | null };

/**
 * Detections cached by image content, detector and options, so that the same image asked again (another task
 * of the same categories, a re-run) skips the detector. Like SAM's embedding cache: the key is the decoded
 * pixels' digest (coco-data `rgbImageDigest`), the models' file checksums and DETECTION_CACHE_VERSION, and every
 * resolved option of `detect` (categories, threshold, merge, augment, tiles...): a hit returns exactly what
 * `detect` returned for that key. Only for models whose files were verified (`CocoDetector.load`'s default):
 * the key names the shipped files' checksums. Entries are written atomically; anything that does not match
 * exactly is reported as invalid and never trusted.
 */
export class DetectionCache {
  /** SHA-256 (hex) naming the models (their files' checksums) and DETECTION_CACHE_VERSION. */
  readonly detectorDigest: string;

  constructor(
    readonly dir: string,
    readonly models: readonly DetectorModelName[],
  ) {
    this.detectorDigest = createHash('sha256')
      .update(
        JSON.stringify({
          version: DETECTION_CACHE_VERSION,
          models: models.map((name) => [name, MODEL_FILES[name]]),
        }),
      )
      .digest('hex');
  }

  /** Whether anything is cached for this image (with these models), whatever the options. */
  hasImage(imageDigest: string): boolean {
    return existsSync(this.imageDir(imageDigest));
  }

  pathFor(imageDigest: string, options: ResolvedDetectOptions): string {
    const key = createHash('sha256')
      .update(JSON.stringify(canonical(options)))
      .digest('hex');
    return join(this.imageDir(imageDigest), `${key.slice(0, 32)}.json`);
  }

  read(imageDigest: string, options: ResolvedDetectOptions): DetectionCacheRead {
    let text: string;
    try {
      text = readFileSync(this.pathFor(imageDigest, options), 'utf8');
    } catch {
      return { status: 'miss' };
    }
    const invalid = (reason: string): DetectionCacheRead => ({ status: 'invalid', reason });
    let file: CacheFile;
    try {
      file = JSON.parse(text) as CacheFile;
    } catch {
      return invalid('not JSON (truncated or overwritten)');
    }
    if (typeof file !== 'object' || file === null) return invalid('not a detection cache entry');
    if (file.format !== FILE_FORMAT) return invalid(`format ${String(file.format)}`);
    if (file.image !== imageDigest) return invalid('written for another image');
    if (file.detector !== this.detectorDigest) return invalid('written by other models or code');
    if (JSON.stringify(file.options) !== JSON.stringify(canonical(options)))
      return invalid('written for other options');
    if (!Array.isArray(file.detections)) return invalid('detections is not an array');
    const detections: Detection[] = [];
    for (const [i, row] of file.detections.entries()) {
      const detection = parseRow(row);
      if (typeof detection === 'string') return invalid(`detection ${i}: ${detection}`);
      detections.push(detection);
    }
    return { status: 'hit', detections };
  }

  write(imageDigest: string, options: ResolvedDetectOptions, detections: readonly Detection[]): void {
    const file: CacheFile = {
      format: FILE_FORMAT,
      detector: this.detectorDigest,
      image: imageDigest,
      options: canonical(options),
      // JSON keeps every double exactly: a hit gives back the very numbers detect returned.
      detections: detections.map((d) => [...d.box, d.categoryId, d.score]),
    };
    writeFileAtomicSync(this.pathFor(imageDigest, options), JSON.stringify(file));
  }

  private imageDir(imageDigest: string): string {
    return join(this.dir, `${imageDigest.slice(0, 32)}-${this.detectorDigest.slice(0, 16)}`);
  }
}

function canonical(options: ResolvedDetectOptions): CanonicalOptions {
  return {
    scoreThreshold: options.scoreThreshold,
    nmsIou: options.nmsIou,
    maxDetections: options.maxDetections,
    categoryIds: options.categoryIds ? [...options.categoryIds].sort((a, b) => a - b) : null,
    augment: options.augment,
    tiles: options.tiles,
    merge: options.merge,
    fusionIou: options.fusionIou,
  };
}

/** A stored row as a Detection, or what is wrong with it. */
function parseRow(row: unknown): Detection | string {
  if (!Array.isArray(row) || row.length !== 6) return 'not a 6-number row';
  if (!row.every((v) => typeof v === 'number' && Number.isFinite(v))) return 'not finite numbers';
  const [x1, y1, x2, y2, categoryId, score] = row as number[];
  if (!(x1 < x2 && y1 < y2)) return 'box corners out of order';
  const category = CATEGORY_NAMES.get(categoryId);
  if (category === undefined) return `no COCO category ${categoryId}`;
  if (!(score >= 0 && score <= 1)) return `score ${score} outside 0-1`;
  const box: Box = [x1, y1, x2, y2];
  return { box, categoryId, category, score };
}
