import { DetectorOptionsError } from './errors';
import {
  DEFAULT_DETECT_OPTIONS,
  DEFAULT_WBF_NMS_IOU,
  resolveDetectOptions,
  resolveLoadOptions,
} from './options';

const optionError = (fn: () => unknown): DetectorOptionsError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DetectorOptionsError);
    return error as DetectorOptionsError;
  }
  throw new Error('expected a DetectorOptionsError');
};

describe('resolveDetectOptions', () => {
  it('applies the defaults', () => {
    expect(resolveDetectOptions()).toEqual({ ...DEFAULT_DETECT_OPTIONS, categoryIds: undefined });
    expect(resolveDetectOptions({})).toEqual({
      scoreThreshold: 0.05,
      nmsIou: 0.5,
      maxDetections: 100,
      categoryIds: undefined,
      augment: 'none',
      tiles: false,
      merge: 'nms',
      fusionIou: 0.6,
    });
  });

  it('takes valid values, including the ends of the ranges', () => {
    const resolved = resolveDetectOptions({
      scoreThreshold: 0,
      nmsIou: 1,
      maxDetections: 1,
      categoryIds: [22, 17, 22],
      augment: 'flip',
      tiles: true,
      merge: 'wbf',
      fusionIou: 0,
    });
    expect(resolved).toEqual({
      scoreThreshold: 0,
      nmsIou: 1,
      maxDetections: 1,
      categoryIds: new Set([22, 17]),
      augment: 'flip',
      tiles: true,
      merge: 'wbf',
      fusionIou: 0,
    });
    expect(resolveDetectOptions({ augment: 'none', merge: 'nms', fusionIou: 1 })).toMatchObject({
      augment: 'none',
      merge: 'nms',
      fusionIou: 1,
    });
    expect(resolveDetectOptions({ categoryIds: [] }).categoryIds).toEqual(new Set());
  });

  it.each([
    ['scoreThreshold', { scoreThreshold: -0.1 }],
    ['scoreThreshold', { scoreThreshold: 1.5 }],
    ['scoreThreshold', { scoreThreshold: Number.NaN }],
    ['scoreThreshold', { scoreThreshold: '0.5' }],
    ['nmsIou', { nmsIou: Number.POSITIVE_INFINITY }],
    ['nmsIou', { nmsIou: -1 }],
    ['maxDetections', { maxDetections: 0 }],
    ['maxDetections', { maxDetections: 2.5 }],
    ['maxDetections', { maxDetections: Number.NaN }],
    ['categoryIds', { categoryIds: 17 }],
    ['categoryIds[1]', { categoryIds: [17, 12] }],
    ['categoryIds[0]', { categoryIds: ['cat'] }],
    ['augment', { augment: 'hflip' }],
    ['augment', { augment: true }],
    ['augment', { augment: null }],
    ['tiles', { tiles: 'yes' }],
    ['tiles', { tiles: 1 }],
    ['merge', { merge: 'WBF' }],
    ['merge', { merge: 1 }],
    ['fusionIou', { fusionIou: 1.01 }],
    ['fusionIou', { fusionIou: '0.55' }],
    ['threshold', { threshold: 0.5 }],
  ])('rejects a bad %s, naming it', (option, options) => {
    const error = optionError(() => resolveDetectOptions(options as never));
    expect(error.code).toBe('DETECTOR_OPTIONS');
    expect(error.option).toBe(option);
    expect(error.message).toContain(`detector option ${option}:`);
  });

  it("defaults nmsIou to DEFAULT_WBF_NMS_IOU with merge 'wbf', unless given", () => {
    expect(DEFAULT_WBF_NMS_IOU).toBe(0.8);
    expect(resolveDetectOptions({ merge: 'wbf' }).nmsIou).toBe(0.8);
    expect(resolveDetectOptions({ merge: 'wbf', nmsIou: 0.5 }).nmsIou).toBe(0.5);
    expect(resolveDetectOptions({ augment: 'flip' }).nmsIou).toBe(0.5);
  });

  it('names the allowed values of augment and merge', () => {
    expect(optionError(() => resolveDetectOptions({ augment: 'mirror' as never })).expected).toBe(
      "'none' or 'flip'",
    );
    expect(optionError(() => resolveDetectOptions({ merge: 'soft-nms' as never })).message).toContain(
      "expected 'nms' or 'wbf'",
    );
  });

  it('rejects options that are not an object', () => {
    expect(optionError(() => resolveDetectOptions(null as never)).option).toBe('options');
    expect(optionError(() => resolveDetectOptions([] as never)).option).toBe('options');
  });
});

describe('resolveDetectOptions with several models', () => {
  it("defaults merge to 'wbf' (and its NMS default) when more than one model runs", () => {
    expect(resolveDetectOptions({}, 2)).toMatchObject({ merge: 'wbf', nmsIou: 0.8 });
    expect(resolveDetectOptions({}, 1)).toMatchObject({ merge: 'nms', nmsIou: 0.5 });
    expect(resolveDetectOptions({ merge: 'nms' }, 2)).toMatchObject({ merge: 'nms', nmsIou: 0.5 });
  });
});

describe('resolveLoadOptions', () => {
  const fallback = () => '/package/models';

  it('defaults to the package models dir, both models and verification on', () => {
    expect(resolveLoadOptions(undefined, fallback, 2)).toEqual({
      modelDir: '/package/models',
      verify: true,
      models: ['centernet', 'nanodet'],
      parallel: true,
    });
    expect(resolveLoadOptions({ modelDir: '/m', verify: false, models: ['nanodet'] }, fallback, 2)).toEqual({
      modelDir: '/m',
      verify: false,
      models: ['nanodet'],
      parallel: false,
    });
  });

  it('runs models in worker threads only with several models and cores, unless told', () => {
    expect(resolveLoadOptions(undefined, fallback, 1).parallel).toBe(false);
    expect(resolveLoadOptions(undefined, fallback, 2).parallel).toBe(true);
    expect(resolveLoadOptions(undefined, fallback, 8).parallel).toBe(true);
    expect(resolveLoadOptions({ models: ['centernet'] }, fallback, 8).parallel).toBe(false);
    expect(resolveLoadOptions({ parallel: false }, fallback, 8).parallel).toBe(false);
    expect(resolveLoadOptions({ parallel: true, models: ['centernet'] }, fallback, 1).parallel).toBe(true);
    expect(optionError(() => resolveLoadOptions({ parallel: 'yes' } as never, fallback)).option).toBe(
      'parallel',
    );
  });

  it('takes any non-empty list of distinct known models, and names a bad entry', () => {
    expect(resolveLoadOptions({ models: ['nanodet', 'centernet'] }, fallback).models).toEqual([
      'nanodet',
      'centernet',
    ]);
    expect(optionError(() => resolveLoadOptions({ models: [] }, fallback)).option).toBe('models');
    expect(optionError(() => resolveLoadOptions({ models: 'centernet' } as never, fallback)).option).toBe(
      'models',
    );
    expect(optionError(() => resolveLoadOptions({ models: ['yolo'] } as never, fallback)).option).toBe(
      'models[0]',
    );
    expect(
      optionError(() => resolveLoadOptions({ models: ['centernet', 'centernet'] }, fallback)).option,
    ).toBe('models[1]');
  });

  it('rejects bad values and unknown options', () => {
    expect(optionError(() => resolveLoadOptions({ modelDir: '' }, fallback)).option).toBe('modelDir');
    expect(optionError(() => resolveLoadOptions({ verify: 'yes' } as never, fallback)).option).toBe('verify');
    expect(optionError(() => resolveLoadOptions({ modelPath: '/m' } as never, fallback)).option).toBe(
      'modelPath',
    );
  });
});
