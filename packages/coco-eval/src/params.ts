import { EvalParamsError } from './errors';

export type IouType = 'segm' | 'bbox';

/** pycocotools `Params` for iouType segm/bbox. Arrays are plain numbers so params serialise as JSON. */
export interface EvalParams {
  iouType: IouType;
  /** Images to evaluate; default: every GT image, sorted. */
  imgIds: number[];
  /** Categories to evaluate; default: every GT category, sorted. */
  catIds: number[];
  iouThrs: number[];
  recThrs: number[];
  /** Detections kept per image (and category), ascending; the last one cuts before IoU. */
  maxDets: number[];
  /** [min, max] object areas, both ends inclusive. */
  areaRng: [number, number][];
  areaRngLbl: string[];
  /** false pools all categories of an image into one (catIds then only selects the annotations). */
  useCats: boolean;
}

/** numpy.linspace(start, stop, num) bit for bit: i * step + start, last element set to stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const out = new Array<number>(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** The pycocotools defaults (`Params.setDetParams`); imgIds/catIds are filled from the ground truth. */
export function defaultParams(iouType: IouType, imgIds: number[] = [], catIds: number[] = []): EvalParams {
  return {
    iouType,
    imgIds: [...imgIds],
    catIds: [...catIds],
    // np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
    iouThrs: linspace(0.5, 0.95, 10),
    recThrs: linspace(0.0, 1.0, 101),
    maxDets: [1, 10, 100],
    areaRng: [
      [0 ** 2, 1e5 ** 2],
      [0 ** 2, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
    useCats: true,
  };
}

const sortedUnique = (values: number[]): number[] => Array.from(new Set(values)).sort((a, b) => a - b);

function finiteArray(name: string, value: unknown, { nonEmpty = true } = {}): number[] {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value))
    throw new EvalParamsError(name, 'must be an array of numbers');
  const array = Array.from(value as ArrayLike<unknown>);
  if (nonEmpty && array.length === 0) throw new EvalParamsError(name, 'must not be empty');
  array.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new EvalParamsError(name, `element ${i} is not a finite number`);
  });
  return array as number[];
}

/**
 * Checks params and normalises them the way `COCOeval.evaluate` does: imgIds (and catIds when useCats)
 * become sorted unique lists, maxDets is sorted.
 */
export function normaliseParams(params: EvalParams): EvalParams {
  if (params.iouType !== 'segm' && params.iouType !== 'bbox')
    throw new EvalParamsError('iouType', `must be 'segm' or 'bbox', got ${JSON.stringify(params.iouType)}`);
  const iouThrs = finiteArray('iouThrs', params.iouThrs);
  const recThrs = finiteArray('recThrs', params.recThrs);
  const maxDets = finiteArray('maxDets', params.maxDets).sort((a, b) => a - b);
  maxDets.forEach((m) => {
    if (!Number.isInteger(m) || m < 1) throw new EvalParamsError('maxDets', `${m} is not a positive integer`);
  });
  if (!Array.isArray(params.areaRng) || params.areaRng.length === 0)
    throw new EvalParamsError('areaRng', 'must be a non-empty array of [min, max] pairs');
  const areaRng = params.areaRng.map((range, i) => {
    const pair = finiteArray(`areaRng[${i}]`, range);
    if (pair.length !== 2 || pair[0] > pair[1])
      throw new EvalParamsError(`areaRng[${i}]`, 'must be [min, max] with min <= max');
    return [pair[0], pair[1]] as [number, number];
  });
  const areaRngLbl = Array.isArray(params.areaRngLbl) ? params.areaRngLbl.map(String) : [];
  if (areaRngLbl.length !== areaRng.length)
    throw new EvalParamsError('areaRngLbl', `needs one label per area range (${areaRng.length})`);
  const imgIds = sortedUnique(finiteArray('imgIds', params.imgIds, { nonEmpty: false }));
  const catIds = finiteArray('catIds', params.catIds, { nonEmpty: false });
  return {
    iouType: params.iouType,
    imgIds,
    catIds: params.useCats ? sortedUnique(catIds) : catIds,
    iouThrs,
    recThrs,
    maxDets,
    areaRng,
    areaRngLbl,
    useCats: Boolean(params.useCats),
  };
}
