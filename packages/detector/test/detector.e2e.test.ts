import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COCO_CATEGORIES, ImageDecodeError, ImageReadError, loadImageRgb } from '@tasam/coco-data';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import {
  boxIou,
  CENTERNET_MODEL_ID,
  CENTERNET_SHA256,
  CocoDetector,
  candidateThreshold,
  cornerTiles,
  cropRgb,
  type Detection,
  DetectorDisposedError,
  DetectorModelChecksumError,
  DetectorModelReadError,
  DetectorOptionsError,
  defaultModelDir,
  fromTile,
  mergeDetections,
  mirrorDetections,
  NANODET_MODEL_ID,
  NANODET_SHA256,
  nonMaxSuppression,
  resolveDetectOptions,
} from '../src';
import { forbidNetwork } from './no-network';

// The real model on tfjs' wasm backend. Loading and the first inference take a few seconds on a busy machine:
// generous timeouts, and no timing assertions.
jest.setTimeout(120_000);

const ELEPHANT = 22;
const CAT = 17;
const BIRD = 16;
const ELEPHANTS = join(__dirname, 'fixtures', 'elephants.jpg');
const CATS = join(__dirname, 'fixtures', 'cats.jpg');

/** CenterNet alone: the single-model path, whose passes the flip tests below take apart. */
let detector: CocoDetector;
/** The default: CenterNet and NanoDet, fused; here both on this thread, so tfjs' memory is this thread's. */
let ensemble: CocoDetector;
/** The same ensemble with each model in a worker thread of its own (the default on more than one core). */
let parallel: CocoDetector;
let guard: ReturnType<typeof forbidNetwork>;
let scratch: string;

beforeAll(async () => {
  guard = forbidNetwork();
  scratch = await mkdtemp(join(tmpdir(), 'tasam-detector-e2e-'));
  detector = await CocoDetector.load({ models: ['centernet'] });
  ensemble = await CocoDetector.load({ parallel: false });
  parallel = await CocoDetector.load({ parallel: true });
}, 120_000);

afterAll(async () => {
  detector?.dispose();
  ensemble?.dispose();
  parallel?.dispose();
  guard.restore();
  await rm(scratch, { recursive: true, force: true });
});

/** Every detection well formed: inside the image, a known COCO category, sorted by score. */
function expectWellFormed(
  detections: Detection[],
  width: number,
  height: number,
  scoreThreshold = 0.05,
): void {
  const names = new Map(COCO_CATEGORIES.map((c) => [c.id, c.name]));
  detections.forEach((d, i) => {
    const [x1, y1, x2, y2] = d.box;
    expect(0 <= x1 && x1 < x2 && x2 <= width).toBe(true);
    expect(0 <= y1 && y1 < y2 && y2 <= height).toBe(true);
    expect(names.get(d.categoryId)).toBe(d.category);
    expect(d.score).toBeGreaterThanOrEqual(scoreThreshold);
    expect(d.score).toBeLessThanOrEqual(1);
    if (i > 0) expect(d.score).toBeLessThanOrEqual(detections[i - 1].score);
  });
}

describe('CocoDetector on the vendored CenterNet, offline', () => {
  it('runs on the wasm backend, from the package’s model files', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(detector.modelDir).toBe(defaultModelDir());
    expect(detector.models).toEqual(['centernet']);
    expect(detector.id).toBe(CENTERNET_MODEL_ID);
  });

  it('finds at least two elephants with score >= 0.3 in elephants.jpg', async () => {
    const detections = await detector.detect(ELEPHANTS);
    expectWellFormed(detections, 640, 480);
    const elephants = detections.filter((d) => d.categoryId === ELEPHANT && d.score >= 0.3);
    expect(elephants.length).toBeGreaterThanOrEqual(2);
    expect(elephants[0].category).toBe('elephant');
  });

  it('finds the two cats of cats.jpg (score >= 0.2), as separate boxes', async () => {
    const { width, height } = await sharp(CATS).metadata();
    const detections = await detector.detect(CATS);
    expectWellFormed(detections, width!, height!);
    const cats = detections.filter((d) => d.categoryId === CAT && d.score >= 0.2);
    expect(cats).toHaveLength(2);
    expect(boxIou(cats[0].box, cats[1].box)).toBeLessThan(0.4);
  });

  it('keeps only the asked categories', async () => {
    const all = await detector.detect(ELEPHANTS);
    const elephants = await detector.detect(ELEPHANTS, { categoryIds: [ELEPHANT] });
    expect(elephants.length).toBeGreaterThan(0);
    expect(elephants).toEqual(all.filter((d) => d.categoryId === ELEPHANT));
    const birdsOrCats = await detector.detect(ELEPHANTS, { categoryIds: [BIRD, CAT] });
    expect(birdsOrCats.every((d) => d.categoryId === BIRD || d.categoryId === CAT)).toBe(true);
    expect(await detector.detect(ELEPHANTS, { categoryIds: [] })).toEqual([]);
  });

  it('applies scoreThreshold and maxDetections', async () => {
    const strict = await detector.detect(ELEPHANTS, { scoreThreshold: 0.4 });
    expect(strict.length).toBeGreaterThan(0);
    expectWellFormed(strict, 640, 480, 0.4);
    expect(await detector.detect(ELEPHANTS, { maxDetections: 3 })).toHaveLength(3);
  });

  it('gives the same detections for a path, its bytes and its decoded pixels', async () => {
    const fromPath = await detector.detect(CATS);
    expect(await detector.detect(await readFile(CATS))).toEqual(fromPath);
    expect(await detector.detect(await loadImageRgb(CATS))).toEqual(fromPath);
  });

  it('takes a greyscale JPEG (one channel) and still finds the elephants', async () => {
    const grey = await sharp(ELEPHANTS).toColourspace('b-w').jpeg().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const detections = await detector.detect(grey, { categoryIds: [ELEPHANT] });
    expect(detections.length).toBeGreaterThanOrEqual(2);
  });

  it('holds no extra tfjs tensors after detecting', async () => {
    await detector.detect(CATS);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await detector.detect(ELEPHANTS);
    await detector.detect(ELEPHANTS, { augment: 'flip' });
    await detector.detect(CATS, { augment: 'flip', merge: 'wbf' });
    await detector.detectPasses(CATS, { augment: 'flip', scoreThreshold: 0 });
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('flip test-time augmentation', () => {
    it.each(['nms', 'wbf'] as const)(
      'still finds at least two elephants, boxes inside the image (merge %s)',
      async (merge) => {
        const detections = await detector.detect(ELEPHANTS, { augment: 'flip', merge });
        expectWellFormed(detections, 640, 480);
        const elephants = detections.filter((d) => d.categoryId === ELEPHANT && d.score >= 0.3);
        expect(elephants.length).toBeGreaterThanOrEqual(2);
        expect(boxIou(elephants[0].box, elephants[1].box)).toBeLessThan(0.5);
      },
    );

    it('runs the image and its mirror: the first pass is the plain pass, the second maps back onto it', async () => {
      const plain = await detector.detectPasses(ELEPHANTS, { scoreThreshold: 0.3 });
      const passes = await detector.detectPasses(ELEPHANTS, { scoreThreshold: 0.3, augment: 'flip' });
      expect(plain).toHaveLength(1);
      expect(passes).toHaveLength(2);
      expect(passes[0]).toEqual(plain[0]);
      expectWellFormed(passes[1], 640, 480, 0.3);
      // Every confident elephant of the mirrored pass, mapped back, lies on one of the plain pass.
      const mirroredElephants = passes[1].filter((d) => d.categoryId === ELEPHANT);
      expect(mirroredElephants.length).toBeGreaterThanOrEqual(2);
      for (const elephant of mirroredElephants) {
        const best = Math.max(
          ...plain[0].map((d) => (d.categoryId === ELEPHANT ? boxIou(d.box, elephant.box) : 0)),
        );
        expect(best).toBeGreaterThan(0.5); // 0.66-0.89 measured
      }
    });

    it('maps the mirrored pass like detecting a mirrored copy of the image and mirroring the boxes back', async () => {
      const rgb = await loadImageRgb(ELEPHANTS);
      const flopped = Buffer.alloc(rgb.data.length);
      for (let y = 0; y < rgb.height; y++) {
        for (let x = 0; x < rgb.width; x++) {
          const from = (y * rgb.width + x) * 3;
          const to = (y * rgb.width + (rgb.width - 1 - x)) * 3;
          flopped[to] = rgb.data[from];
          flopped[to + 1] = rgb.data[from + 1];
          flopped[to + 2] = rgb.data[from + 2];
        }
      }
      const options = { scoreThreshold: 0.3, categoryIds: [ELEPHANT] };
      const [, mirroredPass] = await detector.detectPasses(rgb, { ...options, augment: 'flip' });
      const [ofCopy] = await detector.detectPasses(
        { data: flopped, width: rgb.width, height: rgb.height },
        options,
      );
      const mappedBack = mirrorDetections(ofCopy, rgb.width);
      expect(mappedBack.length).toBeGreaterThanOrEqual(2);
      // Not identical: the tensor is mirrored after the (asymmetric) resize, the copy before it.
      for (const d of mappedBack.slice(0, 2)) {
        expect(Math.max(...mirroredPass.map((m) => boxIou(m.box, d.box)))).toBeGreaterThan(0.8); // 0.89-0.98
      }
    });

    it('detect is mergeDetections of detectPasses', async () => {
      for (const merge of ['nms', 'wbf'] as const) {
        const options = { augment: 'flip', merge, maxDetections: 30 } as const;
        const resolved = resolveDetectOptions(options);
        const passes = await detector.detectPasses(CATS, {
          augment: 'flip',
          scoreThreshold: candidateThreshold(resolved),
        });
        expect(await detector.detect(CATS, options)).toEqual(mergeDetections(passes, resolved));
      }
    });

    it('rejects bad augment, merge and fusionIou values with DetectorOptionsError', async () => {
      await expect(detector.detect(CATS, { augment: 'flop' as never })).rejects.toThrow(DetectorOptionsError);
      await expect(detector.detect(CATS, { merge: 'mean' as never })).rejects.toThrow(/option merge/);
      await expect(detector.detectPasses(CATS, { fusionIou: 2 })).rejects.toThrow(/option fusionIou/);
    });
  });

  describe('tiles (small objects)', () => {
    it("adds the corner tiles' uncut small boxes to the full-image pass, then the pass's NMS", async () => {
      const rgb = await loadImageRgb(ELEPHANTS);
      const options = { scoreThreshold: 0.1 };
      const [full] = await detector.detectPasses(rgb, options);
      const [tiled] = await detector.detectPasses(rgb, { ...options, tiles: true });
      const fromTiles: Detection[] = [];
      for (const tile of cornerTiles(rgb.width, rgb.height)) {
        const [pass] = await detector.detectPasses(cropRgb(rgb, tile), options);
        fromTiles.push(...fromTile(pass, tile, rgb.width, rgb.height));
      }
      expect(fromTiles.length).toBeGreaterThan(0);
      expect(tiled).toEqual(nonMaxSuppression([...full, ...fromTiles], resolveDetectOptions(options).nmsIou));
      expectWellFormed(tiled, 640, 480, 0.1);
      expect(tiled.length).toBeGreaterThan(full.length);
    });

    it('the ensemble with tiles still finds the two cats as separate boxes', async () => {
      const cats = (await ensemble.detect(CATS, { tiles: true })).filter((d) => d.categoryId === CAT);
      expect(cats.length).toBeGreaterThanOrEqual(2);
      expect(boxIou(cats[0].box, cats[1].box)).toBeLessThan(0.5);
    });
  });

  it('gives typed errors for an unreadable path, undecodable bytes and bad options', async () => {
    await expect(detector.detect(join(scratch, 'no-such-image.jpg'))).rejects.toThrow(ImageReadError);
    await expect(detector.detect(scratch)).rejects.toMatchObject({ code: 'IMAGE_READ' });
    const truncated = (await readFile(CATS)).subarray(0, 2000);
    await expect(detector.detect(truncated)).rejects.toThrow(ImageDecodeError);
    await expect(detector.detect(CATS, { nmsIou: 1.5 })).rejects.toThrow(DetectorOptionsError);
    await expect(detector.detect(CATS, { categoryIds: [12] })).rejects.toThrow(/categoryIds\[0\]/);
  });

  it('refuses a model directory whose weights fail their checksum, naming the file and both hashes', async () => {
    const dir = join(scratch, 'corrupt');
    await mkdir(dir);
    await copyFile(join(defaultModelDir(), 'centernet.json'), join(dir, 'centernet.json'));
    const weights = await readFile(join(defaultModelDir(), 'centernet.bin'));
    weights[123_456] ^= 0xff;
    await writeFile(join(dir, 'centernet.bin'), weights);
    const error = (await CocoDetector.load({ modelDir: dir }).catch(
      (e: unknown) => e,
    )) as DetectorModelChecksumError;
    expect(error).toBeInstanceOf(DetectorModelChecksumError);
    expect(error.code).toBe('DETECTOR_MODEL_CHECKSUM');
    expect(error.path).toBe(join(dir, 'centernet.bin'));
    expect(error.expected).toBe(CENTERNET_SHA256['centernet.bin']);
    expect(error.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(error.actual).not.toBe(error.expected);
    expect(error.message).toContain(join(dir, 'centernet.bin'));
    // verify: false skips the check (the corrupted weights then load: one byte of a float changed).
    const unchecked = await CocoDetector.load({ modelDir: dir, verify: false, models: ['centernet'] });
    unchecked.dispose();
  });

  it('names the missing file of an empty model directory', async () => {
    await expect(CocoDetector.load({ modelDir: join(scratch, 'nothing-here') })).rejects.toThrow(
      DetectorModelReadError,
    );
    await expect(CocoDetector.load({ modelDir: join(scratch, 'nothing-here') })).rejects.toThrow(
      join(scratch, 'nothing-here', 'centernet.json'),
    );
  });

  describe('the default ensemble (CenterNet + NanoDet, weighted box fusion)', () => {
    it('runs both models, CenterNet first, and fuses them by default', async () => {
      expect(ensemble.models).toEqual(['centernet', 'nanodet']);
      expect(ensemble.id).toBe(`${CENTERNET_MODEL_ID}+${NANODET_MODEL_ID}`);
      expect(await ensemble.detectPasses(CATS)).toHaveLength(2);
      expect(await ensemble.detectPasses(CATS, { augment: 'flip' })).toHaveLength(4);
      const resolved = resolveDetectOptions({}, 2);
      expect(resolved.merge).toBe('wbf');
      const passes = await ensemble.detectPasses(CATS, { scoreThreshold: candidateThreshold(resolved) });
      expect(passes[0]).toEqual((await detector.detectPasses(CATS, { scoreThreshold: 0.01 }))[0]);
      expect(await ensemble.detect(CATS)).toEqual(mergeDetections(passes, resolved));
    });

    it("NanoDet's own pass finds the elephants CenterNet finds (its decode is right)", async () => {
      const [centernet, nanodet] = await ensemble.detectPasses(ELEPHANTS, {
        scoreThreshold: 0.3,
        categoryIds: [ELEPHANT],
      });
      expectWellFormed(nanodet, 640, 480, 0.3);
      expect(nanodet.length).toBeGreaterThanOrEqual(2);
      for (const elephant of centernet.slice(0, 2)) {
        expect(Math.max(...nanodet.map((d) => boxIou(d.box, elephant.box)))).toBeGreaterThan(0.6);
      }
    });

    it('finds the two cats as separate boxes and at least two elephants', async () => {
      const cats = (await ensemble.detect(CATS, { categoryIds: [CAT] })).filter((d) => d.score >= 0.2);
      expect(cats).toHaveLength(2);
      expect(boxIou(cats[0].box, cats[1].box)).toBeLessThan(0.4);
      const elephants = await ensemble.detect(ELEPHANTS);
      expectWellFormed(elephants, 640, 480);
      expect(
        elephants.filter((d) => d.categoryId === ELEPHANT && d.score >= 0.3).length,
      ).toBeGreaterThanOrEqual(2);
    });

    it('holds no extra tfjs tensors after detecting', async () => {
      await ensemble.detect(CATS);
      const before = tf.memory().numTensors;
      await ensemble.detect(ELEPHANTS);
      await ensemble.detect(CATS, { augment: 'flip' });
      expect(tf.memory().numTensors).toBe(before);
    });

    it("names NanoDet's file when only its weights fail the checksum", async () => {
      const dir = join(scratch, 'corrupt-nanodet');
      await mkdir(dir);
      for (const file of ['centernet.json', 'centernet.bin', 'nanodet.json']) {
        await copyFile(join(defaultModelDir(), file), join(dir, file));
      }
      const weights = await readFile(join(defaultModelDir(), 'nanodet.bin'));
      weights[4321] ^= 0x01;
      await writeFile(join(dir, 'nanodet.bin'), weights);
      await expect(CocoDetector.load({ modelDir: dir })).rejects.toMatchObject({
        code: 'DETECTOR_MODEL_CHECKSUM',
        path: join(dir, 'nanodet.bin'),
        expected: NANODET_SHA256['nanodet.bin'],
      });
      // CenterNet alone does not read NanoDet's files.
      (await CocoDetector.load({ modelDir: dir, models: ['centernet'] })).dispose();
    });
  });

  describe('the ensemble in worker threads', () => {
    it('gives exactly what the same ensemble gives on one thread, flipped, tiled or not', async () => {
      expect(parallel.parallel).toBe(true);
      expect(ensemble.parallel).toBe(false);
      expect(detector.parallel).toBe(false);
      expect(parallel.id).toBe(ensemble.id);
      for (const image of [CATS, ELEPHANTS]) {
        expect(await parallel.detect(image)).toEqual(await ensemble.detect(image));
        expect(await parallel.detectPasses(image, { augment: 'flip' })).toEqual(
          await ensemble.detectPasses(image, { augment: 'flip' }),
        );
      }
      expect(await parallel.detect(CATS, { tiles: true })).toEqual(
        await ensemble.detect(CATS, { tiles: true }),
      );
      const both = await Promise.all([parallel.detect(CATS), parallel.detect(ELEPHANTS)]);
      expect(both).toEqual([await ensemble.detect(CATS), await ensemble.detect(ELEPHANTS)]);
    });

    it('a graph that fails inside a worker is a DetectorModelLoadError naming the problem', async () => {
      const dir = join(scratch, 'no-input-nanodet');
      await mkdir(dir);
      for (const file of ['centernet.json', 'centernet.bin', 'nanodet.bin']) {
        await copyFile(join(defaultModelDir(), file), join(dir, file));
      }
      const graph = JSON.parse(await readFile(join(defaultModelDir(), 'nanodet.json'), 'utf8'));
      graph.modelTopology.node = [];
      await writeFile(join(dir, 'nanodet.json'), JSON.stringify(graph));
      await expect(CocoDetector.load({ modelDir: dir, verify: false, parallel: true })).rejects.toMatchObject(
        {
          code: 'DETECTOR_MODEL_LOAD',
          problem: expect.stringContaining('expected an input'),
        },
      );
    });

    it('refuses to detect after dispose', async () => {
      const second = await CocoDetector.load({ parallel: true });
      second.dispose();
      await expect(second.detect(CATS)).rejects.toThrow(DetectorDisposedError);
    });
  });

  it('refuses to detect after dispose', async () => {
    const second = await CocoDetector.load();
    second.dispose();
    second.dispose();
    await expect(second.detect(CATS)).rejects.toThrow(DetectorDisposedError);
    expect(await detector.detect(CATS, { categoryIds: [CAT], scoreThreshold: 0.2 })).toHaveLength(2);
  });

  it('fetched nothing', () => {
    expect(guard.attempts).toEqual([]);
  });
});
