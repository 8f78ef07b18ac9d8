import type { ApiResult } from '../api-types';
import { paintMasks } from './mask-painter';

/** Saves a PNG of the masks at the image's resolution: each instance in its colour, transparent elsewhere. */
export function downloadMaskPng(
  masks: readonly Uint8Array[],
  width: number,
  height: number,
  filename: string,
): void {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas context');
  context.putImageData(
    new ImageData(paintMasks(masks, width, height, { fillAlpha: 1, outlineAlpha: 1 }), width, height),
    0,
    0,
  );
  canvas.toBlob((blob) => {
    if (blob) save(blob, filename);
  }, 'image/png');
}

/**
 * Saves the masks as COCO RLE JSON: one annotation per instance with `segmentation` in COCO's compressed
 * form (pycocotools' `mask.decode` reads it as is), its area, bbox and score.
 */
export function downloadRleJson(
  result: ApiResult,
  image: { name: string; width: number; height: number },
  details: { model: 'sam' | 'tasam'; task: string | null },
  filename: string,
): void {
  const document = {
    image: { file_name: image.name, width: image.width, height: image.height },
    model: details.model,
    task: details.task,
    annotations: result.instances.map((instance, i) => ({
      id: i + 1,
      segmentation: instance.rle,
      area: instance.area,
      bbox: instance.bbox,
      score: instance.score,
    })),
  };
  save(new Blob([`${JSON.stringify(document, null, 2)}\n`], { type: 'application/json' }), filename);
}

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
