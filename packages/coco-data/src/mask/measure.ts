import type { Bbox, Rle } from './rle';

/** Foreground pixel count (maskApi.c rleArea; uint32 arithmetic). */
export function rleArea(rle: Rle): number {
  const { counts } = rle;
  let area = 0;
  for (let j = 1; j < counts.length; j += 2) area = (area + counts[j]) >>> 0;
  return area;
}

/**
 * Tight box [x, y, w, h] of the foreground (maskApi.c rleToBbox of pycocotools 2.0.11). A mask whose runs are
 * all background gives [0, 0, 0, 0] when it has fewer than two counts; with two or more counts and no
 * foreground, the C code's uint arithmetic yields [w, h, 2^32 - w + 1, 2^32 - h + 1] and so does this.
 */
export function rleToBbox(rle: Rle): Bbox {
  const out: Bbox = [0, 0, 0, 0];
  bboxInto(rle, out, 0);
  return out;
}

/** rleToBbox writing into out[offset..offset+3], so IoU can fill a flat buffer. */
export function bboxInto(rle: Rle, out: { [i: number]: number }, offset: number): void {
  const { h, w, counts } = rle;
  const m = Math.floor(counts.length / 2) * 2;
  if (m === 0) {
    out[offset] = out[offset + 1] = out[offset + 2] = out[offset + 3] = 0;
    return;
  }
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  for (let j = 0; j < m; j++) {
    const start = cc;
    cc = (cc + counts[j]) >>> 0;
    if (j % 2 === 0 || counts[j] === 0) continue;
    const yStart = start % h;
    const xStart = (start - yStart) / h;
    const last = (cc - 1) >>> 0;
    const yEnd = last % h;
    const xEnd = (last - yEnd) / h;
    if (xStart < xs) xs = xStart;
    if (xEnd > xe) xe = xEnd;
    if (xStart < xEnd) {
      // The run crosses a column boundary, so it spans the full height.
      ys = 0;
      ye = h - 1;
    } else {
      if (yStart < ys) ys = yStart;
      if (yEnd > ye) ye = yEnd;
    }
  }
  out[offset] = xs;
  out[offset + 2] = (xe - xs + 1) >>> 0;
  out[offset + 1] = ys;
  out[offset + 3] = (ye - ys + 1) >>> 0;
}
