/** Instance colours: distinct hues that stay readable over photos, reused in order. */
const PALETTE: readonly [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [0, 128, 128],
  [170, 110, 40],
  [255, 225, 25],
  [128, 0, 0],
];

export function instanceColour(index: number): [number, number, number] {
  return PALETTE[index % PALETTE.length];
}

export function cssColour([r, g, b]: readonly [number, number, number]): string {
  return `rgb(${r}, ${g}, ${b})`;
}
