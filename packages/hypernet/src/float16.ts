/** IEEE half-precision bytes (little-endian) of float32 values, round-to-nearest-even; for compact checkpoints. */
export function float16Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    let h: number;
    if (exp === 0xff) h = sign | 0x7c00 | (mant ? 0x200 : 0);
    else {
      const e = exp - 127 + 15;
      if (e >= 0x1f) h = sign | 0x7c00;
      else if (e <= 0) {
        if (e < -10) h = sign;
        else {
          mant |= 0x800000;
          const shift = 14 - e;
          const half = 1 << (shift - 1);
          let m = mant >>> shift;
          const rest = mant & ((1 << shift) - 1);
          if (rest > half || (rest === half && m & 1)) m += 1;
          h = sign | m;
        }
      } else {
        let m = mant >>> 13;
        const rest = mant & 0x1fff;
        let ee = e;
        if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
          m += 1;
          if (m === 0x400) {
            m = 0;
            ee += 1;
          }
        }
        h = ee >= 0x1f ? sign | 0x7c00 : sign | (ee << 10) | m;
      }
    }
    view.setUint16(i * 2, h, true);
  }
  return out;
}
