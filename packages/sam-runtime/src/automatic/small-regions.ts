/**
 * 8-connected components of the nonzero pixels (cv2.connectedComponentsWithStats, connectivity 8).
 * Labels start at 1 in raster order of each component's first pixel; 0 is the background.
 */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(width * height);
  const sizes: number[] = [0];
  const stack = new Int32Array(width * height);
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = sizes.length;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const i = stack[--top];
      size++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (mask[j] && !labels[j]) {
            labels[j] = label;
            stack[top++] = j;
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/**
 * SAM's remove_small_regions: in 'holes' mode fills background components smaller than `minArea`; in 'islands'
 * mode removes foreground components smaller than `minArea` (keeping the largest when all are small).
 * Returns the new mask and whether anything changed.
 */
export function removeSmallRegions(
  mask: Uint8Array,
  width: number,
  height: number,
  minArea: number,
  mode: 'holes' | 'islands',
): { mask: Uint8Array; changed: boolean } {
  const holes = mode === 'holes';
  const working = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) working[i] = (mask[i] ? 1 : 0) ^ (holes ? 1 : 0);
  const { labels, sizes } = connectedComponents(working, width, height);
  const small = new Set<number>();
  for (let label = 1; label < sizes.length; label++) if (sizes[label] < minArea) small.add(label);
  if (small.size === 0) return { mask, changed: false };
  // fill[label] = 1 when that label's pixels end up inside the mask (label 0 = pixels outside the working mask).
  const fill = new Uint8Array(sizes.length);
  if (holes) {
    fill[0] = 1;
    for (const label of small) fill[label] = 1;
  } else {
    let any = false;
    for (let label = 1; label < sizes.length; label++) {
      if (!small.has(label)) {
        fill[label] = 1;
        any = true;
      }
    }
    if (!any) {
      let largest = 1;
      for (let label = 2; label < sizes.length; label++) if (sizes[label] > sizes[largest]) largest = label;
      fill[largest] = 1;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = fill[labels[i]];
  return { mask: out, changed: true };
}
