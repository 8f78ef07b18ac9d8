// Throughput of the mask API on the real masks of a COCO val2017: frPoly (annToRle), encode, decode, the
// string codec, RLE IoU and box IoU. Prints medians over rounds.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  bboxIou,
  CocoDataset,
  compressRle,
  decodeMask,
  decodeMaskInto,
  decompressRle,
  encodeMask,
  isCrowd,
  type Rle,
  rleIou,
  rleToBbox,
} from '../src';
import { cocoDirFromArgs, flagValue, timeMedian } from './bench-args';

/** Mask API throughput on `<coco>/annotations/instances_val2017.json`. */
export async function runMaskBench(argv: readonly string[]): Promise<void> {
  const coco = cocoDirFromArgs(argv);
  const rounds = Number(flagValue(argv, '--rounds') ?? 7);
  const file = join(coco, 'annotations', 'instances_val2017.json');
  const dataset = await CocoDataset.fromFile(file);
  const polygons = dataset.annotations.filter((a) => Array.isArray(a.segmentation));
  const rles = dataset.annotations.map((a) => dataset.annToRle(a));
  const masks = rles.map((r) => decodeMask(r));
  const pixels = rles.reduce((sum, r) => sum + r.h * r.w, 0);
  const compressed = rles.map(compressRle);
  const byImage = new Map<number, Rle[]>();
  dataset.annotations.forEach((a, i) => {
    const list = byImage.get(a.image_id) ?? [];
    list.push(rles[i]);
    byImage.set(a.image_id, list);
  });
  const pairs = [...byImage.values()].reduce((sum, list) => sum + list.length * list.length, 0);
  const crowdByImage = new Map<number, number[]>();
  for (const a of dataset.annotations) {
    const list = crowdByImage.get(a.image_id) ?? [];
    list.push(isCrowd(a) ? 1 : 0);
    crowdByImage.set(a.image_id, list);
  }
  const boxes = [...byImage.values()].map((list) => list.map(rleToBbox));

  console.log(`coco-data mask benchmark: ${file}`);
  console.log(
    `${dataset.images.length} images, ${rles.length} masks (${polygons.length} polygons), ` +
      `${(pixels / 1e6).toFixed(1)} Mpx in all; ${rounds} rounds, medians; node ${process.version}; ` +
      `load average ${loadavg()[0].toFixed(1)}`,
  );
  const report = (name: string, seconds: number, items: number, unit: string, px = 0) => {
    const mpx = px ? `  ${(px / seconds / 1e6).toFixed(0).padStart(6)} Mpx/s` : '';
    console.log(
      `${name.padEnd(28)} ${(seconds * 1000).toFixed(1).padStart(9)} ms  ${(items / seconds).toFixed(0).padStart(10)} ${unit}/s${mpx}`,
    );
  };

  report(
    'frPoly (annToRle, polygons)',
    timeMedian(rounds, () => {
      for (const a of polygons) dataset.annToRle(a);
    }),
    polygons.length,
    'masks',
  );
  report(
    'encode (row-major)',
    timeMedian(rounds, () => {
      for (const [i, m] of masks.entries()) encodeMask(m, rles[i].h, rles[i].w);
    }),
    masks.length,
    'masks',
    pixels,
  );
  const columnMajor = rles.map((r) => decodeMask(r, 'column-major'));
  report(
    'encode (column-major)',
    timeMedian(rounds, () => {
      for (const [i, m] of columnMajor.entries()) encodeMask(m, rles[i].h, rles[i].w, 'column-major');
    }),
    masks.length,
    'masks',
    pixels,
  );
  report(
    'decode (row-major)',
    timeMedian(rounds, () => {
      for (const r of rles) decodeMask(r);
    }),
    rles.length,
    'masks',
    pixels,
  );
  report(
    'decode (column-major)',
    timeMedian(rounds, () => {
      for (const r of rles) decodeMask(r, 'column-major');
    }),
    rles.length,
    'masks',
    pixels,
  );
  // The same into one reused buffer per image size: the cost of decoding without allocating the output.
  const buffers = new Map<number, Uint8Array>();
  const bufferFor = (r: Rle) => {
    const buffer = buffers.get(r.h * r.w) ?? new Uint8Array(r.h * r.w);
    buffers.set(r.h * r.w, buffer);
    return buffer;
  };
  report(
    'decodeInto (row-major)',
    timeMedian(rounds, () => {
      for (const r of rles) decodeMaskInto(r, bufferFor(r));
    }),
    rles.length,
    'masks',
    pixels,
  );
  report(
    'decodeInto (column-major)',
    timeMedian(rounds, () => {
      for (const r of rles) decodeMaskInto(r, bufferFor(r), 'column-major');
    }),
    rles.length,
    'masks',
    pixels,
  );
  report(
    'compress (counts string)',
    timeMedian(rounds, () => {
      for (const r of rles) compressRle(r);
    }),
    rles.length,
    'masks',
  );
  report(
    'decompress (counts string)',
    timeMedian(rounds, () => {
      for (const c of compressed) decompressRle(c);
    }),
    rles.length,
    'masks',
  );
  const lists = [...byImage.entries()];
  report(
    'rleIou (all pairs per image)',
    timeMedian(rounds, () => {
      for (const [imageId, list] of lists) rleIou(list, list, crowdByImage.get(imageId)!);
    }),
    pairs,
    'pairs',
  );
  report(
    'bboxIou (all pairs per image)',
    timeMedian(rounds, () => {
      for (const [i, [imageId]] of lists.entries()) bboxIou(boxes[i], boxes[i], crowdByImage.get(imageId)!);
    }),
    pairs,
    'pairs',
  );
}
