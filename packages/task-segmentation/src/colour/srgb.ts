/** Linear-light value (0-1) of each 8-bit sRGB channel value (IEC 61966-2-1). */
export const SRGB_TO_LINEAR = new Float64Array(256).map((_, i) => {
  const c = i / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

/** The 8-bit sRGB channel value of a linear-light value, clipped to 0-1 first. */
export function linearToSrgb8(value: number): number {
  const v = Math.min(1, Math.max(0, value));
  const c = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
  return Math.round(c * 255);
}
