import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImageRgb, mergeRles, rleArea, rleIou } from '@tasam/coco-data';
import { CocoDetector } from '@tasam/detector';
import { TaskLoraGenerator } from '@tasam/hypernet';
import { SamRuntime } from '@tasam/sam-runtime';
import { createTextEncoder, type TextEncoder } from '@tasam/text-encoder';
import {
  BOX_SCALE_DEFAULT,
  clipBox,
  GroundedSegmenter,
  lightAdaptation,
  maskColourShares,
  scaleBox,
  TaskGrounder,
  TaskSegmentationOptionsError,
} from '../src';

// Real SAM, detector, text encoder and the shipped hypernetwork: slow on a busy 2-core machine.
jest.setTimeout(300_000);

const fixtures = join(__dirname, 'fixtures');

describe('GroundedSegmenter (real SAM, detector and shipped checkpoint)', () => {
  const cache = mkdtempSync(join(tmpdir(), 'tasam-grounded-'));
  let runtime: SamRuntime;
  let detector: CocoDetector;
  let encoder: TextEncoder;
  let generator: TaskLoraGenerator;
  let grounder: TaskGrounder;
  let segmenter: GroundedSegmenter;

  beforeAll(async () => {
    runtime = await SamRuntime.create({ modelCacheDir: cache });
    detector = await CocoDetector.load();
    encoder = await createTextEncoder();
    generator = await TaskLoraGenerator.load({ encoder });
    grounder = await TaskGrounder.create(encoder);
    segmenter = new GroundedSegmenter(runtime, detector, generator);
  });
  afterAll(async () => {
    detector?.dispose();
    generator?.dispose();
    await encoder?.dispose();
    await runtime?.dispose();
    rmSync(cache, { recursive: true, force: true });
  });

  it('finds each cat as its own instance, and only cats; the baseline reads the same boxes', async () => {
    const image = await loadImageRgb(join(fixtures, 'cats.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany(['segment all cats', 'segment the sky']);
    const result = await segmenter.segment(image, embedding, groundings, { baseline: true });
    const [cats, sky] = result.tasks;
    expect(cats.instances).toHaveLength(2);
    expect(cats.instances.every((i) => i.category === 'cat')).toBe(true);
    const [a, b] = cats.instances;
    expect(rleIou([a.rle], [b.rle], [0])[0]).toBeLessThan(0.2);
    expect(a.score).toBeGreaterThanOrEqual(b.score);
    for (const i of cats.instances) expect(i.score).toBeCloseTo(i.detectorScore * i.predictedIou, 6);
    // The baseline: plain SAM's heads on the very same boxes.
    expect(cats.baseline?.map((i) => i.box)).toEqual(cats.instances.map((i) => i.box));
    // A task naming no COCO category gets nothing here (the caller takes the scorer path) and costs no box.
    expect(sky.grounding.grounded).toBe(false);
    expect(sky.instances).toEqual([]);
    expect(result.trunkPrompts).toBe(result.detections.length);
    expect(result.detections.every((d) => d.category === 'cat')).toBe(true);
  });

  it("with heads 'plain' gives exactly the baseline's masks", async () => {
    const image = await loadImageRgb(join(fixtures, 'cats.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany(['segment all cats']);
    const plain = await segmenter.segment(image, embedding, groundings, { heads: 'plain' });
    const withBaseline = await segmenter.segment(image, embedding, groundings, { baseline: true });
    expect(plain.tasks[0].instances.map((i) => i.rle.counts)).toEqual(
      withBaseline.tasks[0].baseline?.map((i) => i.rle.counts),
    );
  });

  it("mixes the task heads' logits with plain SAM's by taskWeight: 0 gives the baseline's masks, 1 the task's", async () => {
    const image = await loadImageRgb(join(fixtures, 'cats.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany(['segment all cats']);
    const counts = async (taskWeight?: number) =>
      (await segmenter.segment(image, embedding, groundings, { taskWeight, baseline: true })).tasks[0];
    const task = await counts();
    const plain = (await counts(0)).instances.map((i) => i.rle.counts);
    expect(plain).toEqual(task.baseline?.map((i) => i.rle.counts));
    expect((await counts(1)).instances.map((i) => i.rle.counts)).toEqual(
      task.instances.map((i) => i.rle.counts),
    );
    // Halfway: each mask's area between the plain one's and the task one's (or equal to one of them).
    const half = (await counts(0.5)).instances;
    half.forEach((mask, i) => {
      const [lo, hi] = [task.baseline![i].area, task.instances[i].area].sort((x, y) => x - y);
      expect(mask.area).toBeGreaterThanOrEqual(lo * 0.98);
      expect(mask.area).toBeLessThanOrEqual(hi * 1.02);
    });
    await expect(segmenter.segment(image, embedding, groundings, { taskWeight: 1.5 })).rejects.toThrow(
      /taskWeight: must be a number from 0 to 1/,
    );
  });

  it('keeps the apples of the colour asked for and the yellow bananas (CIELAB colour of the mask pixels)', async () => {
    const image = await loadImageRgb(join(fixtures, 'fruit-bowl.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany([
      'segment all green apples',
      'segment all red apples',
      'the yellow bananas',
    ]);
    const [green, red, yellow] = (await segmenter.segment(image, embedding, groundings)).tasks;
    expect(green.instances.length).toBeGreaterThanOrEqual(2);
    for (const i of green.instances) {
      expect(i.category).toBe('apple');
      expect(i.colourShares?.green).toBeGreaterThanOrEqual(0.25);
    }
    // The bowl's apples are all green: no red apple is found.
    expect(red.instances).toEqual([]);
    expect(yellow.instances.length).toBeGreaterThanOrEqual(1);
    for (const i of yellow.instances) expect(i.category).toBe('banana');
    // Pixels are named after lightAdaptation: exposure by default; with colourAdaptation, grey world as well.
    const exposed = lightAdaptation(image);
    for (const i of green.instances) expect(i.colourShares).toEqual(maskColourShares(image, i.rle, exposed));
    const adapted = lightAdaptation(image, { greyWorld: 0.5 });
    const [half] = (await segmenter.segment(image, embedding, [groundings[0]], { colourAdaptation: 0.5 }))
      .tasks;
    expect(half.instances.length).toBeGreaterThan(0);
    for (const i of half.instances) expect(i.colourShares).toEqual(maskColourShares(image, i.rle, adapted));
  });

  it('with a lower maskThreshold makes each box a larger mask that holds the default one', async () => {
    const image = await loadImageRgb(join(fixtures, 'cats.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany(['segment all cats']);
    const usual = (await segmenter.segment(image, embedding, groundings)).tasks[0].instances;
    const wider = (await segmenter.segment(image, embedding, groundings, { maskThreshold: -2 })).tasks[0]
      .instances;
    expect(wider.map((i) => i.box)).toEqual(usual.map((i) => i.box));
    usual.forEach((u, k) => {
      expect(wider[k].area).toBeGreaterThan(u.area);
      // Same logits, lower threshold: the default mask lies wholly inside the wider one.
      expect(rleArea(mergeRles([u.rle, wider[k].rle], true))).toBe(u.area);
    });
    await expect(
      segmenter.segment(image, embedding, groundings, { maskThreshold: Number.NaN }),
    ).rejects.toThrow(/maskThreshold: must be a finite number/);
  });

  it('prompts SAM with each detected box scaled by boxScale about its centre (default BOX_SCALE_DEFAULT)', async () => {
    const image = await loadImageRgb(join(fixtures, 'cats.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany(['segment all cats']);
    const size = { width: image.width, height: image.height };
    const sorted = (boxes: (readonly number[] | null)[]) => boxes.map((b) => b?.join(',')).sort();
    const masks: string[][] = [];
    for (const boxScale of [undefined, 1, 0.8]) {
      const result = await segmenter.segment(image, embedding, groundings, {
        scoreThreshold: 0,
        maskNmsIou: 1,
        boxScale,
      });
      const scale = boxScale ?? BOX_SCALE_DEFAULT;
      const expected = result.detections.map((d) => clipBox(scaleBox(d.box, scale), size));
      expect(sorted(result.tasks[0].instances.map((i) => i.box))).toEqual(sorted(expected));
      masks.push(result.tasks[0].instances.map((i) => Array.from(i.rle.counts).join(',')).sort());
    }
    // Other boxes, other masks.
    expect(masks[2]).not.toEqual(masks[1]);
    await expect(segmenter.segment(image, embedding, groundings, { boxScale: 0 })).rejects.toThrow(
      /boxScale: must be a number above 0 and at most 2/,
    );
  });

  it('refuses out-of-range options with a typed error naming the option', async () => {
    const image = await loadImageRgb(join(fixtures, 'cats.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany(['segment all cats']);
    await expect(segmenter.segment(image, embedding, groundings, { scoreThreshold: 2 })).rejects.toThrow(
      TaskSegmentationOptionsError,
    );
    await expect(
      segmenter.segment(image, embedding, groundings, { heads: 'other' as 'task' }),
    ).rejects.toThrow(/heads: must be 'task' or 'plain'/);
    await expect(
      segmenter.segment(image, embedding, groundings, { detectorTiles: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/detectorTiles: must be true or false/);
    await expect(segmenter.segment(image, embedding, groundings, { colourAdaptation: 1.5 })).rejects.toThrow(
      /colourAdaptation: must be a number from 0 to 1/,
    );
  });

  it('with detectorTiles prompts the boxes the detector gives with tiles (more, small, apples here)', async () => {
    const image = await loadImageRgb(join(fixtures, 'fruit-bowl.jpg'));
    const embedding = await runtime.embed(image);
    const groundings = await grounder.groundMany(['segment all apples']);
    const options = { scoreThreshold: 0.05, categoryIds: [53] };
    const plain = await segmenter.segment(image, embedding, groundings);
    const result = await segmenter.segment(image, embedding, groundings, { detectorTiles: true });
    const tiled = await detector.detect(image, { ...options, tiles: true });
    expect(result.detections).toEqual(tiled.filter((d) => d.score >= 0.15));
    expect(result.detections.length).toBeGreaterThan(plain.detections.length);
    expect(plain.detections).toEqual((await detector.detect(image, options)).filter((d) => d.score >= 0.15));
  });
});
