import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The pycocotools 2.0.11 reference case (20 COCO val2017 images); see fixtures/README.md. */
export const fixturePath = (name: string): string => join(__dirname, 'fixtures', name);

export function readFixture<T = unknown>(name: string): T {
  const raw = readFileSync(fixturePath(name));
  return JSON.parse((name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as T;
}

export type RefCase = 'segm' | 'bbox' | 'both_segm' | 'both_bbox';

/** Results file and iouType of each reference case. */
export const refCases: Record<RefCase, { results: string; iouType: 'segm' | 'bbox' }> = {
  segm: { results: 'dt_segm.json', iouType: 'segm' },
  bbox: { results: 'dt_bbox.json', iouType: 'bbox' },
  both_segm: { results: 'dt_both.json', iouType: 'segm' },
  both_bbox: { results: 'dt_both.json', iouType: 'bbox' },
};

export interface EvalRef {
  stats: number[];
  per_category_AP_all_100: Record<string, number>;
  precision_all_100: Record<string, number[][]>;
  recall: number[][][][];
  catIds: number[];
}
