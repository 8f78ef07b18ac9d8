import { SampleOptionsError } from '../errors';
import { decodeMask, encodeMask, type Rle, rleFromPolygon } from '../mask';
import { squaredDistanceToBackground } from './distance-transform';
import { boxFromRle, centerMostPoint, randomExteriorPoints, randomInteriorPoints } from './points';
import { SeededRandom } from './seeded-random';

function randomMask(random: SeededRandom, h: number, w: number): Uint8Array {
  const mask = new Uint8Array(h * w);
  for (let r = 0; r < 2; r++) {
    const x0 = random.int(w);
    const y0 = random.int(h);
    const x1 = Math.min(w, x0 + 1 + random.int(w));
    const y1 = Math.min(h, y0 + 1 + random.int(h));
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * w + x] = 1;
  }
  for (let i = 0; i < mask.length; i++) if (random.chance(0.03)) mask[i] = 0;
  return mask;
}

/** Brute force: squared distance to the nearest background pixel, outside the image counting as background. */
function bruteCenter(mask: Uint8Array, h: number, w: number): { x: number; y: number } | undefined {
  let best = -1;
  let at: { x: number; y: number } | undefined;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      let d = Math.min(x + 1, y + 1, w - x, h - y) ** 2;
      for (let v = 0; v < h; v++) {
        for (let u = 0; u < w; u++) if (!mask[v * w + u]) d = Math.min(d, (u - x) ** 2 + (v - y) ** 2);
      }
      if (d > best) {
        best = d;
        at = { x, y };
      }
    }
  }
  return at;
}

describe('SeededRandom', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new SeededRandom(42, 'x');
    const b = new SeededRandom(42, 'x');
    const c = new SeededRandom(43, 'x');
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
    expect(new SeededRandom('ab', 'c').next()).not.toBe(new SeededRandom('a', 'bc').next());
  });

  it('draws uniform floats, ints and distinct subsets', () => {
    const random = new SeededRandom(1);
    let sum = 0;
    let lo = 1;
    let hi = 0;
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) {
      const f = random.next();
      lo = Math.min(lo, f);
      hi = Math.max(hi, f);
      sum += f;
      counts[random.int(6)]++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(sum / 60000).toBeCloseTo(0.5, 2);
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
    const subset = random.distinct(5, 8);
    expect(new Set(subset).size).toBe(5);
    expect(subset).toEqual([...subset].sort((x, y) => x - y));
    expect(subset.every((v) => v >= 0 && v < 8)).toBe(true);
    expect(random.distinct(9, 3)).toEqual([0, 1, 2]);
    const shuffled = random.shuffle([1, 2, 3, 4, 5, 6]);
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('squaredDistanceToBackground', () => {
  it('matches brute force', () => {
    const random = new SeededRandom(3);
    for (let t = 0; t < 20; t++) {
      const h = 1 + random.int(12);
      const w = 1 + random.int(12);
      const mask = randomMask(random, h, w);
      mask[random.int(h * w)] = 0; // at least one background pixel
      const d = squaredDistanceToBackground(mask, h, w);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let best = Number.POSITIVE_INFINITY;
          for (let v = 0; v < h; v++) {
            for (let u = 0; u < w; u++)
              if (!mask[v * w + u]) best = Math.min(best, (u - x) ** 2 + (v - y) ** 2);
          }
          expect(d[y * w + x]).toBe(best);
        }
      }
    }
  });
});

describe('points', () => {
  it('finds the center of a rectangle and of a polygon', () => {
    const rect = rleFromPolygon([10, 20, 31, 20, 31, 31, 10, 31], 50, 60);
    expect(centerMostPoint(rect)).toEqual({ x: 15, y: 20 + 5 });
    // A full image: the center, counting outside the image as background.
    expect(centerMostPoint(encodeMask(new Uint8Array(9 * 9).fill(1), 9, 9))).toEqual({ x: 4, y: 4 });
    expect(centerMostPoint(encodeMask(new Uint8Array(12), 3, 4))).toBeUndefined();
  });

  it('center-most point matches a brute-force distance transform on random masks', () => {
    const random = new SeededRandom(5);
    for (let t = 0; t < 30; t++) {
      const h = 1 + random.int(14);
      const w = 1 + random.int(14);
      const mask = randomMask(random, h, w);
      expect(centerMostPoint(encodeMask(mask, h, w))).toEqual(bruteCenter(mask, h, w));
    }
  });

  it('random interior points are distinct, inside, and cover all pixels when k >= area', () => {
    const random = new SeededRandom(9);
    const h = 20;
    const w = 25;
    const mask = randomMask(random, h, w);
    const rle = encodeMask(mask, h, w);
    const area = mask.reduce((s, v) => s + v, 0);
    const points = randomInteriorPoints(rle, 7, random);
    expect(points).toHaveLength(Math.min(7, area));
    expect(new Set(points.map((p) => `${p.x},${p.y}`)).size).toBe(points.length);
    for (const p of points) expect(mask[p.y * w + p.x]).toBe(1);
    expect(randomInteriorPoints(rle, area + 5, random)).toHaveLength(area);
    expect(() => randomInteriorPoints(rle, -1, random)).toThrow(SampleOptionsError);
  });

  it('exterior points are outside the mask, also past short runs', () => {
    const random = new SeededRandom(10);
    const h = 15;
    const w = 11;
    const mask = randomMask(random, h, w);
    const rle = encodeMask(mask, h, w);
    for (const p of randomExteriorPoints(rle, 40, random)) expect(mask[p.y * w + p.x]).toBe(0);
    const all = randomExteriorPoints(rle, h * w, random);
    expect(all).toHaveLength(h * w - mask.reduce((s, v) => s + v, 0));
    expect(randomExteriorPoints(rle, 0, random)).toEqual([]);
  });

  it('is uniform over the mask', () => {
    const random = new SeededRandom(11);
    const rle: Rle = rleFromPolygon([0, 0, 4, 0, 4, 4, 0, 4], 8, 8);
    const mask = decodeMask(rle);
    const hits = new Map<string, number>();
    for (let i = 0; i < 16000; i++) {
      const [p] = randomInteriorPoints(rle, 1, random);
      hits.set(`${p.x},${p.y}`, (hits.get(`${p.x},${p.y}`) ?? 0) + 1);
    }
    const area = mask.reduce((s, v) => s + v, 0);
    expect(hits.size).toBe(area);
    for (const n of hits.values()) expect(Math.abs(n - 16000 / area)).toBeLessThan(0.25 * (16000 / area));
  });

  it('boxes from masks are corner boxes', () => {
    const rle = rleFromPolygon([10, 20, 31, 20, 31, 31, 10, 31], 50, 60);
    expect(boxFromRle(rle)).toEqual([10, 20, 31, 31]);
    expect(boxFromRle(encodeMask(new Uint8Array(4), 2, 2))).toBeUndefined();
  });
});
