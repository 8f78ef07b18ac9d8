// COCO's compressed RLE in the browser: the server sends masks in the form the COCO RLE JSON download holds,
// and the page decodes them for drawing. Semantics follow pycocotools (rleFrString / rleDecode).

/** Run lengths from COCO's string codec: 5-bit groups with a continuation bit, deltas from the run two back. */
export function decodeRleCounts(counts: string): number[] {
  const runs: number[] = [];
  let p = 0;
  while (p < counts.length) {
    let value = 0;
    let shift = 0;
    let more = true;
    while (more) {
      if (p >= counts.length) throw new Error(`RLE counts end inside a number at ${p}`);
      const c = counts.charCodeAt(p) - 48;
      value |= (c & 0x1f) << shift;
      more = (c & 0x20) !== 0;
      p++;
      shift += 5;
      if (!more && (c & 0x10) !== 0) value |= -1 << shift;
    }
    if (runs.length > 2) value += runs[runs.length - 2];
    runs.push(value);
  }
  return runs;
}

/** A row-major 0/1 mask of `size` [h, w] from column-major runs that start with background. */
export function decodeRleMask(rle: { size: [number, number]; counts: string }): Uint8Array {
  const [h, w] = rle.size;
  const mask = new Uint8Array(h * w);
  const runs = decodeRleCounts(rle.counts);
  let index = 0;
  for (let r = 0; r < runs.length; r++) {
    const end = index + runs[r];
    if (end > h * w) throw new Error(`RLE runs cover ${end} pixels, more than ${h}x${w}`);
    if (r % 2 === 1) {
      for (let i = index; i < end; i++) mask[(i % h) * w + Math.floor(i / h)] = 1;
    }
    index = end;
  }
  return mask;
}
