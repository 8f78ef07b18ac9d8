import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COCO_CATEGORIES, ImageDecodeError, ImageReadError, loadImageRgb } from '@tasam/coco-data';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import {
  boxIou,
  CENTERNET_SHA256,
  CocoDetector,
  type Detection,
  DetectorDisposedError,
  DetectorModelChecksumError,
  DetectorModelReadError,
  DetectorOptionsError,
  defaultModelDir,
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

let detector: CocoDetector;
let guard: ReturnType<typeof forbidNetwork>;
let scratch: string;

beforeAll(async () => {
  guard = forbidNetwork();
  scratch = await mkdtemp(join(tmpdir(), 'tasam-detector-e2e-'));
  detector = await CocoDetector.load();
}, 120_000);

afterAll(async () => {
  detector?.dispose();
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
    expect(detector.inputSize).toBe(512);
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
    expect(tf.memory().numTensors).toBe(before);
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
    const unchecked = await CocoDetector.load({ modelDir: dir, verify: false });
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
