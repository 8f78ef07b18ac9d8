import { availableParallelism } from 'node:os';
import { COCO_CATEGORIES } from '@tasam/coco-data';
import { DetectorOptionsError } from './errors';
import { YOLOV8_MODELS } from './model/yolov8-constants';
import type {
  DetectAugment,
  DetectMerge,
  DetectOptions,
  DetectorLoadOptions,
  DetectorModelName,
  ResolvedDetectOptions,
  ShippedModelName,
} from './types';

/**
 * Defaults of `detect`'s options. AP 0.279 on coco-mini val2017 was measured with these (README). With
 * `merge: 'wbf'` the default `nmsIou` is DEFAULT_WBF_NMS_IOU instead.
 */
export const DEFAULT_DETECT_OPTIONS: Readonly<Required<Omit<DetectOptions, 'categoryIds'>>> = Object.freeze({
  scoreThreshold: 0.05,
  nmsIou: 0.5,
  maxDetections: 100,
  augment: 'none',
  tiles: false,
  merge: 'nms',
  fusionIou: 0.6,
});

/**
 * The default `nmsIou` with `merge: 'wbf'`, where NMS only removes a pass's own near-duplicates before fusion:
 * chosen with `fusionIou` 0.6 on coco-mini train2017 (README, "Test-time augmentation").
 */
export const DEFAULT_WBF_NMS_IOU = 0.8;

const AUGMENTS: readonly DetectAugment[] = ['none', 'flip'];
const MERGES: readonly DetectMerge[] = ['nms', 'wbf'];

const COCO_IDS = new Set(COCO_CATEGORIES.map((category) => category.id));
const DETECT_KEYS = new Set([
  'scoreThreshold',
  'nmsIou',
  'maxDetections',
  'categoryIds',
  'augment',
  'tiles',
  'merge',
  'fusionIou',
]);
const LOAD_KEYS = new Set(['modelDir', 'verify', 'models', 'parallel']);

/** Every model the package ships, in the order an ensemble runs them. */
export const SHIPPED_DETECTOR_MODELS: readonly ShippedModelName[] = Object.freeze(['centernet', 'nanodet']);

/**
 * Every model the detector can run: the shipped ones, then the YOLOv8 exports a user may supply (AGPL-3.0, not
 * shipped; README "YOLOv8").
 */
export const DETECTOR_MODELS: readonly DetectorModelName[] = Object.freeze([
  ...SHIPPED_DETECTOR_MODELS,
  ...YOLOV8_MODELS,
]);

/** The models `CocoDetector.load` runs by default: both shipped ones, fused (README, "Ensemble"). */
export const DEFAULT_DETECTOR_MODELS: readonly DetectorModelName[] = SHIPPED_DETECTOR_MODELS;

function checkObject(name: string, options: unknown, known: Set<string>): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DetectorOptionsError(name, options, 'an object');
  }
  for (const key of Object.keys(options)) {
    if (!known.has(key))
      throw new DetectorOptionsError(
        key,
        (options as Record<string, unknown>)[key],
        `one of ${[...known].join(', ')} (unknown option)`,
      );
  }
  return options as Record<string, unknown>;
}

function fraction(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new DetectorOptionsError(name, value, 'a finite number from 0 to 1');
  }
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new DetectorOptionsError(name, value, allowed.map((a) => `'${a}'`).join(' or '));
  }
  return value as T;
}

/**
 * Applies the defaults to `detect`'s options and checks them; a bad one is a DetectorOptionsError naming it.
 * `modelCount`: the models the detector runs; with more than one, `merge` defaults to 'wbf' (their boxes are
 * fused, not just de-duplicated).
 */
export function resolveDetectOptions(options?: DetectOptions, modelCount = 1): ResolvedDetectOptions {
  const o = checkObject('options', options, DETECT_KEYS);
  const scoreThreshold = fraction('scoreThreshold', o.scoreThreshold, DEFAULT_DETECT_OPTIONS.scoreThreshold);
  const augment = oneOf('augment', o.augment, AUGMENTS, DEFAULT_DETECT_OPTIONS.augment);
  const merge = oneOf('merge', o.merge, MERGES, modelCount > 1 ? 'wbf' : DEFAULT_DETECT_OPTIONS.merge);
  const nmsIou = fraction(
    'nmsIou',
    o.nmsIou,
    merge === 'wbf' ? DEFAULT_WBF_NMS_IOU : DEFAULT_DETECT_OPTIONS.nmsIou,
  );
  if (o.tiles !== undefined && typeof o.tiles !== 'boolean')
    throw new DetectorOptionsError('tiles', o.tiles, 'true or false');
  const tiles = (o.tiles as boolean | undefined) ?? DEFAULT_DETECT_OPTIONS.tiles;
  const fusionIou = fraction('fusionIou', o.fusionIou, DEFAULT_DETECT_OPTIONS.fusionIou);
  let maxDetections = DEFAULT_DETECT_OPTIONS.maxDetections;
  if (o.maxDetections !== undefined) {
    if (!Number.isSafeInteger(o.maxDetections) || (o.maxDetections as number) < 1) {
      throw new DetectorOptionsError('maxDetections', o.maxDetections, 'a positive integer');
    }
    maxDetections = o.maxDetections as number;
  }
  let categoryIds: Set<number> | undefined;
  if (o.categoryIds !== undefined) {
    if (!Array.isArray(o.categoryIds)) {
      throw new DetectorOptionsError('categoryIds', o.categoryIds, 'an array of COCO category ids');
    }
    categoryIds = new Set();
    o.categoryIds.forEach((id: unknown, i) => {
      if (typeof id !== 'number' || !COCO_IDS.has(id)) {
        throw new DetectorOptionsError(
          `categoryIds[${i}]`,
          id,
          'one of the 80 COCO category ids (1-90 with gaps)',
        );
      }
      categoryIds!.add(id);
    });
  }
  return { scoreThreshold, nmsIou, maxDetections, categoryIds, augment, tiles, merge, fusionIou };
}

/** Applies the defaults to `CocoDetector.load`'s options and checks them. */
export function resolveLoadOptions(
  options: DetectorLoadOptions | undefined,
  defaultModelDir: () => string,
  cores: number = availableParallelism(),
): { modelDir: string; verify: boolean; models: DetectorModelName[]; parallel: boolean } {
  const o = checkObject('options', options, LOAD_KEYS);
  let models = [...DEFAULT_DETECTOR_MODELS];
  if (o.models !== undefined) {
    const expected = `a non-empty array of distinct model names (${DETECTOR_MODELS.map((m) => `'${m}'`).join(', ')})`;
    const names: unknown = o.models;
    if (!Array.isArray(names) || names.length === 0) {
      throw new DetectorOptionsError('models', names, expected);
    }
    names.forEach((name: unknown, i) => {
      if (!DETECTOR_MODELS.includes(name as DetectorModelName) || names.indexOf(name) !== i) {
        throw new DetectorOptionsError(`models[${i}]`, name, expected);
      }
    });
    models = [...(names as DetectorModelName[])];
  }
  if (o.modelDir !== undefined && (typeof o.modelDir !== 'string' || o.modelDir === '')) {
    throw new DetectorOptionsError('modelDir', o.modelDir, 'a non-empty directory path');
  }
  if (o.verify !== undefined && typeof o.verify !== 'boolean') {
    throw new DetectorOptionsError('verify', o.verify, 'true or false');
  }
  if (o.parallel !== undefined && typeof o.parallel !== 'boolean') {
    throw new DetectorOptionsError('parallel', o.parallel, 'true or false');
  }
  return {
    modelDir: (o.modelDir as string | undefined) ?? defaultModelDir(),
    verify: (o.verify as boolean) ?? true,
    models,
    // One model gains nothing from a thread of its own. With a second core, threads win big when it is idle
    // (0.34 s against 0.55 s on one thread, 2 cores) and lose little when it is busy (0.65 against 0.59 beside
    // one busy process), so they are the default. The load average is no guide: it lags by a minute and counts
    // the CLI's own previous runs, which flipped back-to-back `tasam segment` runs onto one thread (slower).
    parallel: (o.parallel as boolean | undefined) ?? (models.length > 1 && cores > 1),
  };
}
