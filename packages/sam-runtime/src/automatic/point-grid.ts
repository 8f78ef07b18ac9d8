import type { ImageSize } from '../image-frame';
import type { PointPrompt } from '../prompt';

/**
 * SAM's build_point_grid scaled to an image: n x n foreground points at the centres of an n x n tiling,
 * ordered row by row (y outer, x inner), in original-image pixels.
 */
export function pointGrid(pointsPerSide: number, size: ImageSize): PointPrompt[] {
  const offset = 1 / (2 * pointsPerSide);
  const side = Array.from({ length: pointsPerSide }, (_, i) =>
    pointsPerSide === 1 ? 0.5 : offset + (i * (1 - 2 * offset)) / (pointsPerSide - 1),
  );
  const points: PointPrompt[] = [];
  for (const fy of side)
    for (const fx of side) points.push({ x: fx * size.width, y: fy * size.height, label: 1 });
  return points;
}
