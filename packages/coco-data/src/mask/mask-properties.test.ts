// Property checks of the mask API against plain per-pixel arithmetic on random masks.

import { IouInputError } from '../errors';
import { decodeMask, encodeMask } from './encode';
import { rleIou } from './iou';
import { rleArea, rleToBbox } from './measure';
import { mergeRles } from './merge';
import { Rle } from './rle';
import { compressRle, decompressRle } from './string-codec';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomMask(random: () => number, h: number, w: number, density: number): Uint8Array {
  // Blobby masks: a few random rectangles, plus sparse noise, so runs of all lengths occur.
  const mask = new Uint8Array(h * w);
  for (let r = 0; r < 3; r++) {
    const x0 = Math.floor(random() * w);
    const y0 = Math.floor(random() * h);
    const x1 = Math.min(w, x0 + Math.floor(random() * w));
    const y1 = Math.min(h, y0 + Math.floor(random() * h));
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * w + x] = 1;
  }
  for (let i = 0; i < mask.length; i++) if (random() < density) mask[i] ^= 1;
  return mask;
}

describe('mask API on random masks', () => {
  const random = lcg(7);
  const cases = Array.from({ length: 40 }, (_, i) => {
    const h = 1 + Math.floor(random() * 30);
    const w = 1 + Math.floor(random() * 30);
    return { h, w, a: randomMask(random, h, w, i % 3 === 0 ? 0 : 0.05), b: randomMask(random, h, w, 0.02) };
  });

  it('encode, decode and the string codec round-trip', () => {
    for (const { h, w, a } of cases) {
      const rle = encodeMask(a, h, w);
      expect(decodeMask(rle)).toEqual(a);
      expect(decodeMask(decompressRle(compressRle(rle)))).toEqual(a);
    }
  });

  it('area, bbox, merge and IoU agree with per-pixel counts', () => {
    for (const { h, w, a, b } of cases) {
      const ra = encodeMask(a, h, w);
      const rb = encodeMask(b, h, w);
      let areaA = 0;
      let inter = 0;
      let union = 0;
      let x0 = w;
      let y0 = h;
      let x1 = -1;
      let y1 = -1;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          if (a[i]) {
            areaA++;
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
          }
          if (a[i] && b[i]) inter++;
          if (a[i] || b[i]) union++;
        }
      }
      expect(rleArea(ra)).toBe(areaA);
      if (areaA > 0) expect(rleToBbox(ra)).toEqual([x0, y0, x1 - x0 + 1, y1 - y0 + 1]);
      expect(rleArea(mergeRles([ra, rb]))).toBe(union);
      expect(rleArea(mergeRles([ra, rb], true))).toBe(inter);
      const or = new Uint8Array(h * w).map((_, i) => a[i] | b[i]);
      expect(decodeMask(mergeRles([ra, rb]))).toEqual(or);
      const [iou] = rleIou([ra], [rb], [0]);
      if (inter > 0) expect(iou).toBeCloseTo(inter / union, 12);
      else expect(iou).toBe(0);
      const [crowd] = rleIou([ra], [rb], [1]);
      if (inter > 0) expect(crowd).toBeCloseTo(inter / areaA, 12);
    }
  });
});

describe('rleIou on runs that do not cover h x w', () => {
  it('is an IouInputError naming the pair, not an endless loop', () => {
    const full = new Rle(2, 2, Uint32Array.from([0, 4]));
    const short = new Rle(2, 2, Uint32Array.from([0, 3]));
    const long = new Rle(2, 2, Uint32Array.from([1, 2, 3]));
    expect(() => rleIou([short], [full], [0])).toThrow(IouInputError);
    expect(() => rleIou([full], [long], [0])).toThrow(/detection 0 and ground truth 0 .*h x w/);
    // Zero-length runs inside a list are fine.
    const zeros = new Rle(2, 2, Uint32Array.from([0, 2, 0, 2]));
    expect([...rleIou([zeros], [full], [0])]).toEqual([1]);
  });
});

describe('encodeMask fast paths', () => {
  it('agrees with a per-pixel reference for any bytes, sizes and buffer offsets', () => {
    const random = lcg(11);
    for (let t = 0; t < 300; t++) {
      // Mostly small; every tenth large enough to outgrow the scratch buffers.
      const h = 1 + Math.floor(random() * (t % 10 === 9 ? 300 : 13));
      const w = 1 + Math.floor(random() * (t % 10 === 9 ? 300 : 13));
      const style = t % 4;
      // Some masks full of foreground, some empty, some blobs; values other than 1 count as foreground.
      const base =
        style === 0 ? new Uint8Array(h * w).fill(200) : randomMask(random, h, w, style === 1 ? 0 : 0.1);
      if (style === 2) for (let i = 0; i < base.length; i++) base[i] *= 1 + Math.floor(random() * 200);
      const offset = Math.floor(random() * 4);
      const backing = new Uint8Array(h * w + offset);
      backing.set(base, offset);
      const mask = backing.subarray(offset);
      // Reference: walk pixels column-major, one at a time.
      const reference: number[] = [];
      let previous = 0;
      let run = 0;
      for (let x = 0; x < w; x++) {
        for (let y = 0; y < h; y++) {
          const v = mask[y * w + x] ? 1 : 0;
          if (v !== previous) {
            reference.push(run);
            run = 0;
            previous = v;
          }
          run++;
        }
      }
      reference.push(run);
      expect(Array.from(encodeMask(mask, h, w).counts)).toEqual(reference);
      const columnMajor = new Uint8Array(h * w + offset);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) columnMajor[offset + x * h + y] = mask[y * w + x];
      expect(Array.from(encodeMask(columnMajor.subarray(offset), h, w, 'column-major').counts)).toEqual(
        reference,
      );
    }
  });
});
