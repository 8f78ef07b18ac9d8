/** A box x0,y0,x1,y1 with inclusive pixel coordinates, as SAM's batched_mask_to_box returns. */
export type XyxyBox = [number, number, number, number];

/** Tight box of a row-major binary mask; [0,0,0,0] for an empty mask (as SAM). */
export function maskBox(mask: Uint8Array, width: number, height: number): XyxyBox {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (mask[row + x]) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y < y0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1, y1];
}

/** IoU of two boxes with torchvision's box_iou arithmetic (area = (x1-x0)*(y1-y0)); 0 when the union is empty. */
export function boxIou(a: XyxyBox, b: XyxyBox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const intersection = w > 0 && h > 0 ? w * h : 0;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection;
  return union > 0 ? intersection / union : 0;
}

/**
 * Greedy non-maximum suppression (torchvision.ops.nms): visits boxes by decreasing score (ties: input order),
 * keeps a box unless it overlaps an already kept one with IoU > threshold. Returns kept indices, best first.
 */
export function boxNms(boxes: readonly XyxyBox[], scores: readonly number[], iouThreshold: number): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((j) => boxIou(boxes[i], boxes[j]) <= iouThreshold)) kept.push(i);
  }
  return kept;
}
