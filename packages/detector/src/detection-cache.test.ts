import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rgbImageDigest } from '@tasam/coco-data';
import { CachedDetector, type Detecting } from './cached-detector';
import { DetectionCache } from './detection-cache';
import { resolveDetectOptions } from './options';
import type { Detection, DetectOptions } from './types';

const image = { data: Uint8Array.from({ length: 8 * 6 * 3 }, (_, i) => i % 251), width: 8, height: 6 };
const digest = rgbImageDigest(image);
// Scores and corners that are not short decimals: a hit must give back the very same doubles.
const detections: Detection[] = [
  { box: [0.1 + 0.2, 1 / 3, 7.25, 5.5], categoryId: 17, category: 'cat', score: Math.PI / 7 },
  { box: [2, 2, 3, 4], categoryId: 90, category: 'toothbrush', score: 0.05000000000000001 },
];

/** A detector that counts its calls and answers with `answer` (the options it was asked with kept). */
function countingDetector(answer: Detection[] = detections) {
  const calls: (DetectOptions | undefined)[] = [];
  const detector: Detecting = {
    detect: async (_image, options) => {
      calls.push(options);
      return answer;
    },
  };
  return { calls, detector };
}

describe('DetectionCache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'det-cache-'));
  const cache = new DetectionCache(dir, ['centernet', 'nanodet']);
  const options = resolveDetectOptions({ categoryIds: [18, 17], scoreThreshold: 0.05 }, 2);

  it('misses, then round-trips detections exactly', () => {
    expect(cache.hasImage(digest)).toBe(false);
    expect(cache.read(digest, options)).toEqual({ status: 'miss' });
    cache.write(digest, options, detections);
    expect(cache.hasImage(digest)).toBe(true);
    expect(cache.read(digest, options)).toEqual({ status: 'hit', detections });
  });

  it('keys on every option, the category order aside', () => {
    const same = resolveDetectOptions({ categoryIds: [17, 18], scoreThreshold: 0.05 }, 2);
    expect(cache.read(digest, same).status).toBe('hit');
    for (const other of [
      { categoryIds: [17] },
      { categoryIds: [17, 18], scoreThreshold: 0.1 },
      { categoryIds: [17, 18], tiles: true },
      { categoryIds: [17, 18], augment: 'flip' as const },
      { categoryIds: [17, 18], maxDetections: 10 },
      {},
    ])
      expect(cache.read(digest, resolveDetectOptions(other, 2)).status).toBe('miss');
  });

  it('keys on the models and the image', () => {
    expect(new DetectionCache(dir, ['centernet']).read(digest, options).status).toBe('miss');
    expect(new DetectionCache(dir, ['nanodet', 'centernet']).detectorDigest).not.toBe(cache.detectorDigest);
    const other = rgbImageDigest({ ...image, data: image.data.map((v) => 255 - v) });
    expect(cache.read(other, options).status).toBe('miss');
  });

  it('rejects truncated, foreign and malformed entries', () => {
    const path = cache.pathFor(digest, options);
    const good = JSON.parse(readFileSync(path, 'utf8'));
    const expectInvalid = (content: string, reason: RegExp) => {
      writeFileSync(path, content);
      const found = cache.read(digest, options);
      expect(found.status).toBe('invalid');
      if (found.status === 'invalid') expect(found.reason).toMatch(reason);
    };
    expectInvalid(JSON.stringify(good).slice(0, 40), /not JSON/);
    expectInvalid('null', /not a detection cache entry/);
    expectInvalid(JSON.stringify({ ...good, format: 2 }), /format 2/);
    expectInvalid(JSON.stringify({ ...good, image: 'ab'.repeat(32) }), /another image/);
    expectInvalid(JSON.stringify({ ...good, detector: 'ab'.repeat(32) }), /other models/);
    expectInvalid(JSON.stringify({ ...good, options: { ...good.options, tiles: true } }), /other options/);
    expectInvalid(JSON.stringify({ ...good, detections: {} }), /not an array/);
    expectInvalid(JSON.stringify({ ...good, detections: [[1, 2, 3, 4, 17]] }), /detection 0: not a 6-number/);
    expectInvalid(JSON.stringify({ ...good, detections: [[3, 2, 1, 4, 17, 0.5]] }), /out of order/);
    expectInvalid(JSON.stringify({ ...good, detections: [[1, 2, 3, 4, 12, 0.5]] }), /no COCO category 12/);
    expectInvalid(JSON.stringify({ ...good, detections: [[1, 2, 3, 4, 17, 1.5]] }), /outside 0-1/);
    expectInvalid(JSON.stringify({ ...good, detections: [detections[0].box] }), /not a 6-number/);
    writeFileSync(path, JSON.stringify(good));
    expect(cache.read(digest, options).status).toBe('hit');
  });

  it('leaves no temporary file behind', () => {
    const entries = readdirSync(join(cache.pathFor(digest, options), '..'));
    expect(entries.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('CachedDetector', () => {
  const options = { categoryIds: [17], scoreThreshold: 0.05 };

  it('asks the detector on a miss only, and starts it only then', async () => {
    const cache = new DetectionCache(mkdtempSync(join(tmpdir(), 'det-cached-')), ['centernet', 'nanodet']);
    const { calls, detector } = countingDetector();
    let started = 0;
    const cached = new CachedDetector(cache, async () => {
      started += 1;
      return detector;
    });
    expect(await cached.detect(image, options)).toEqual(detections);
    expect(await cached.detect(image, options)).toEqual(detections);
    expect(calls).toEqual([options]);
    expect(started).toBe(1);
    expect(cached.statuses).toEqual(['miss', 'hit']);
  });

  it('detects again over an entry it rejects, and says so', async () => {
    const cache = new DetectionCache(mkdtempSync(join(tmpdir(), 'det-cached-')), ['centernet']);
    const { calls, detector } = countingDetector();
    const logged: string[] = [];
    const cached = new CachedDetector(
      cache,
      async () => detector,
      (m) => logged.push(m),
    );
    await cached.detect(image, options);
    writeFileSync(cache.pathFor(digest, resolveDetectOptions(options, 1)), '{');
    expect(await cached.detect(image, options)).toEqual(detections);
    expect(calls).toHaveLength(2);
    expect(cached.statuses).toEqual(['miss', 'invalid']);
    expect(logged[0]).toMatch(/rejected \(not JSON/);
    expect(await cached.detect(image, options)).toEqual(detections);
    expect(cached.statuses.at(-1)).toBe('hit');
  });

  it('rejects bad options before reading the cache or starting the detector', async () => {
    const cache = new DetectionCache(mkdtempSync(join(tmpdir(), 'det-cached-')), ['centernet']);
    const cached = new CachedDetector(cache, async () => {
      throw new Error('must not start');
    });
    await expect(cached.detect(image, { scoreThreshold: 2 })).rejects.toMatchObject({
      code: 'DETECTOR_OPTIONS',
    });
    expect(cached.statuses).toEqual([]);
  });
});
