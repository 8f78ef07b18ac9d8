import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMask, loadImageRgb, type RgbImage } from '@tasam/coco-data';
import { TasamError } from '@tasam/errors';
import * as ort from 'onnxruntime-node';
import {
  AutomaticMaskGenerator,
  boxIou,
  buildTrunkModel,
  encodePrompt,
  HEAD_LAYER_NAMES,
  type HeadLora,
  ImageFrame,
  KNOWN_INT8_ENCODERS,
  locateSamModels,
  maskBox,
  type Prompt,
  runHeads,
  SamRuntime,
  selectMasks,
  type Tensor32,
  TRUNK_SURGERY_VERSION,
  type TrunkOutput,
  upscaleLogits,
} from '../src';

// Real images committed at the repository root (COCO val, licences in examples/NOTICE.md).
const examples = join(__dirname, '..', '..', '..', 'examples');
jest.setTimeout(180_000);

const scratch = mkdtempSync(join(tmpdir(), 'sam-runtime-e2e-'));
const embeddingCacheDir = join(scratch, 'embeddings');
const modelCacheDir = join(scratch, 'models');

let runtime: SamRuntime;
let cats: RgbImage;
let catsEmbedding: Tensor32;
let elephants: RgbImage;
let elephantsEmbedding: Tensor32;
const size = (image: RgbImage) => ({ width: image.width, height: image.height });
const logs: string[] = [];

beforeAll(async () => {
  runtime = await SamRuntime.create({ modelCacheDir, embeddingCacheDir, log: (m) => logs.push(m) });
  cats = await loadImageRgb(join(examples, 'cats.jpg'));
  elephants = await loadImageRgb(join(examples, 'elephants.jpg'));
  const first = await runtime.embedImage(cats);
  expect(first.cache).toBe('miss');
  catsEmbedding = first.embedding;
  elephantsEmbedding = await runtime.embed(elephants);
});

afterAll(async () => {
  await runtime?.dispose();
});

/** Index of the first element that differs (-1 when identical): jest's toEqual is slow on large arrays. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Trunk + TS heads (no LoRA) with SamOnnxModel's selection, next to the original sam.onnx. */
async function compareWithReference(image: RgbImage, embedding: Tensor32, prompt: Prompt) {
  const reference = await runtime.referenceDecode(embedding, size(image), prompt);
  const trunk = await runtime.trunk(embedding, [prompt], size(image));
  const heads = runHeads(trunk, runtime.headWeights());
  const frame = new ImageFrame(size(image));
  const [m] = selectMasks(heads.iouPredictions, encodePrompt(prompt, frame).tokens, 'auto');
  const lowRes = heads.lowResMasks.subarray(m * 65536, (m + 1) * 65536);
  const logits = upscaleLogits(lowRes, frame);
  let differentPixels = 0;
  let inside = 0;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i] > 0 !== reference.masks![i] > 0) differentPixels++;
    if (reference.masks![i] > 0) inside++;
  }
  return {
    lowResDiff: maxAbsDiff(lowRes, reference.lowResMasks),
    iouDiff: Math.abs(heads.iouPredictions[m] - reference.iouPrediction),
    differentPixels,
    inside,
    reference,
  };
}

describe('trunk + TypeScript heads equal the original sam.onnx', () => {
  const cases: [string, () => RgbImage, () => Tensor32, Prompt][] = [
    ['1 point', () => cats, () => catsEmbedding, { points: [{ x: 240, y: 150, label: 1 }] }],
    [
      '3 points (pos, neg, pos)',
      () => cats,
      () => catsEmbedding,
      {
        points: [
          { x: 240, y: 150, label: 1 },
          { x: 400, y: 120, label: 0 },
          { x: 150, y: 250, label: 1 },
        ],
      },
    ],
    ['a box', () => elephants, () => elephantsEmbedding, { box: [60, 90, 330, 400] }],
    [
      'a point and a box',
      () => elephants,
      () => elephantsEmbedding,
      { points: [{ x: 200, y: 250, label: 1 }], box: [60, 90, 330, 400] },
    ],
  ];

  it.each(cases)('%s', async (_name, image, embedding, prompt) => {
    const result = await compareWithReference(image(), embedding(), prompt);
    expect(result.lowResDiff).toBeLessThan(1e-4);
    expect(result.iouDiff).toBeLessThan(1e-5);
    expect(result.differentPixels).toBe(0);
    expect(result.inside).toBeGreaterThan(1000); // a real object, not an empty mask
  });

  it('a mask input (the previous low-res logits) with a point', async () => {
    const first = await runtime.referenceDecode(catsEmbedding, size(cats), {
      points: [{ x: 240, y: 150, label: 1 }],
    });
    const maskInput = { data: first.lowResMasks, dims: [1, 1, 256, 256] };
    const prompt: Prompt = {
      points: [
        { x: 240, y: 150, label: 1 },
        { x: 420, y: 200, label: 1 },
      ],
      maskInput,
    };
    const result = await compareWithReference(cats, catsEmbedding, prompt);
    expect(result.lowResDiff).toBeLessThan(1e-4);
    expect(result.iouDiff).toBeLessThan(1e-5);
    expect(result.differentPixels).toBe(0);
    // the mask input changes the answer (so it is really fed through)
    const withoutMask = await runtime.referenceDecode(catsEmbedding, size(cats), { points: prompt.points });
    expect(maxAbsDiff(withoutMask.lowResMasks, result.reference.lowResMasks)).toBeGreaterThan(0.1);
  });

  it('segment() returns the same mask as sam.onnx, with RLE, box and area', async () => {
    const prompt: Prompt = { points: [{ x: 240, y: 150, label: 1 }] };
    const reference = await runtime.referenceDecode(catsEmbedding, size(cats), prompt);
    const [best] = await runtime.segment(catsEmbedding, size(cats), prompt);
    expect(
      firstDifference(
        best.mask,
        Uint8Array.from(reference.masks!, (v) => (v > 0 ? 1 : 0)),
      ),
    ).toBe(-1);
    expect(best.score).toBeCloseTo(reference.iouPrediction, 5);
    expect(firstDifference(decodeMask(best.rle), best.mask)).toBe(-1);
    expect(best.area).toBe(best.mask.reduce((a, b) => a + b, 0));
    const [x0, y0, x1, y1] = maskBox(best.mask, best.width, best.height);
    expect(best.bbox).toEqual([x0, y0, x1 - x0 + 1, y1 - y0 + 1]);
    const all = await runtime.segment(catsEmbedding, size(cats), prompt, { masks: 'all' });
    expect(all.map((m) => m.maskIndex).sort()).toEqual([1, 2, 3]);
    expect(all[0].score).toBeGreaterThanOrEqual(all[1].score);
    expect(all[1].score).toBeGreaterThanOrEqual(all[2].score);
    const [single] = await runtime.segment(catsEmbedding, size(cats), prompt, { masks: 'single' });
    expect(single.maskIndex).toBe(0);
  });
});

describe('batched trunk calls', () => {
  const onePoint = (x: number, y: number): Prompt => ({ points: [{ x, y, label: 1 }] });

  it('equal single calls, for same-shaped and mixed prompts', async () => {
    // Two one-point prompts share a batched call; the box runs in its own group; order is preserved.
    const prompts: Prompt[] = [onePoint(240, 150), { box: [300, 20, 620, 300] }, onePoint(500, 250)];
    const batched = await runtime.trunk(catsEmbedding, prompts, size(cats));
    expect(batched.n).toBe(3);
    for (let i = 0; i < prompts.length; i++) {
      const single = await runtime.trunk(catsEmbedding, [prompts[i]], size(cats));
      const part = (t: TrunkOutput, j: number, key: 'iouToken' | 'maskTokens' | 'upscaled') => {
        const width = t[key].length / t.n;
        return t[key].subarray(j * width, (j + 1) * width);
      };
      for (const key of ['iouToken', 'maskTokens', 'upscaled'] as const) {
        expect(maxAbsDiff(part(batched, i, key), part(single, 0, key))).toBeLessThan(3e-5);
      }
    }
  });
});

describe("the trunk shares the image embedding across a call's prompts", () => {
  it('with the outputs of per-prompt copies (shared and per-prompt mask inputs)', async () => {
    const decoder = readFileSync(locateSamModels().decoder);
    const options = { graphOptimizationLevel: 'all' as const, intraOpNumThreads: 2 };
    const [shared, copied] = await Promise.all(
      [true, false].map((shareImage) =>
        ort.InferenceSession.create(buildTrunkModel(decoder, 'sam.onnx', { shareImage }), options),
      ),
    );
    const embedding = new ort.Tensor('float32', catsEmbedding.data, [1, 256, 64, 64]);
    for (const [n, maskBatch, hasMask] of [
      [4, 1, 0],
      [3, 3, 1],
    ]) {
      const feeds = {
        image_embeddings: embedding,
        point_coords: new ort.Tensor(
          'float32',
          Float32Array.from({ length: n * 4 }, (_, i) => 100 + ((i * 137) % 800)),
          [n, 2, 2],
        ),
        point_labels: new ort.Tensor(
          'float32',
          Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 ? 3 : 2)),
          [n, 2],
        ),
        mask_input: new ort.Tensor(
          'float32',
          Float32Array.from({ length: maskBatch * 65536 }, (_, i) => Math.cos(i * 0.01 + (i >> 16))),
          [maskBatch, 1, 256, 256],
        ),
        has_mask_input: new ort.Tensor('float32', Float32Array.from([hasMask]), [1]),
      };
      const [a, b] = [await shared.run(feeds), await copied.run(feeds)];
      for (const name of copied.outputNames) {
        expect(a[name].dims).toEqual(b[name].dims);
        expect(a[name].dims[0]).toBe(n);
        expect(maxAbsDiff(a[name].data as Float32Array, b[name].data as Float32Array)).toBeLessThan(1e-6);
      }
    }
    await Promise.all([shared.release(), copied.release()]);
  });
});

describe('automatic mode', () => {
  // Cache trunk batches so several generators (and LoRAs) score ONE trunk pass, as the design intends.
  const batches = new Map<string, TrunkOutput>();
  let trunkCalls = 0;
  const runTrunk = async (prompts: Prompt[]) => {
    const key = JSON.stringify(prompts);
    let output = batches.get(key);
    if (!output) {
      trunkCalls++;
      output = await runtime.trunk(catsEmbedding, prompts, size(cats));
      batches.set(key, output);
    }
    return output;
  };
  const randomLora = (): HeadLora => {
    let state = 1;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return (state / 2 ** 31 - 0.5) * 0.05;
    };
    const layers = new Map(
      HEAD_LAYER_NAMES.map((name) => {
        const layer = runtime.headWeights().layers.get(name)!;
        return [
          name,
          {
            a: Float32Array.from({ length: 2 * layer.inFeatures }, next),
            b: Float32Array.from({ length: layer.outFeatures * 2 }, next),
            rank: 2,
          },
        ];
      }),
    );
    return { scaling: 4, layers };
  };

  it('finds scored, non-overlapping instances; many heads share one trunk pass', async () => {
    const generator = new AutomaticMaskGenerator({ pointsPerSide: 4, pointsPerBatch: 8 });
    const zeroLora = randomLora();
    for (const adapter of zeroLora.layers.values()) adapter.b.fill(0);
    const progress: number[] = [];
    const [base, zero, adapted] = await new AutomaticMaskGenerator({
      pointsPerSide: 4,
      pointsPerBatch: 8,
      onProgress: (done) => progress.push(done),
    }).generate(runTrunk, size(cats), [
      runtime.headsFunction(),
      runtime.headsFunction(zeroLora),
      runtime.headsFunction(randomLora()),
    ]);
    expect(trunkCalls).toBe(2);
    expect(progress).toEqual([8, 16]);
    expect(base.length).toBeGreaterThan(2);
    for (let i = 0; i < base.length; i++) {
      const instance = base[i];
      expect(instance.predictedIou).toBeGreaterThan(0.88);
      expect(instance.stabilityScore).toBeGreaterThanOrEqual(0.95);
      if (i > 0) expect(base[i - 1].predictedIou).toBeGreaterThanOrEqual(instance.predictedIou);
      const mask = decodeMask(instance.rle);
      expect(instance.area).toBe(mask.reduce((a, b) => a + b, 0));
      for (let j = 0; j < i; j++) {
        const a = maskBox(mask, cats.width, cats.height);
        const b = maskBox(decodeMask(base[j].rle), cats.width, cats.height);
        expect(boxIou(a, b)).toBeLessThanOrEqual(0.7);
      }
    }
    expect(zero).toEqual(base);
    expect(adapted.map((i) => i.predictedIou)).not.toEqual(base.map((i) => i.predictedIou));

    // Small-region cleanup reuses the same trunk batches.
    const cleaned = await new AutomaticMaskGenerator({
      pointsPerSide: 4,
      pointsPerBatch: 8,
      minMaskRegionArea: 400,
    }).generate(runTrunk, size(cats), [runtime.headsFunction()]);
    expect(trunkCalls).toBe(2);
    expect(cleaned[0].length).toBeGreaterThan(0);
    expect(cleaned[0].length).toBeLessThanOrEqual(base.length);
    expect(generator.pointGrid(size(cats))).toHaveLength(16);

    // The runtime's own entry point is the same pipeline (one prompt keeps this cheap).
    const single = await new AutomaticMaskGenerator({ pointsPerSide: 1 }).generate(runTrunk, size(cats), [
      runtime.headsFunction(),
    ]);
    expect(await runtime.everything(catsEmbedding, size(cats), { pointsPerSide: 1 })).toEqual(single[0]);
  });
});

describe('caches and sessions', () => {
  it('reuses a cached embedding, and recomputes a truncated one', async () => {
    const second = await SamRuntime.create({ modelCacheDir, embeddingCacheDir, log: (m) => logs.push(m) });
    const hit = await second.embedImage(cats);
    expect(hit.cache).toBe('hit');
    expect(hit.embedding.dims).toEqual([1, 256, 64, 64]);
    expect(firstDifference(hit.embedding.data, catsEmbedding.data)).toBe(-1);
    const [file] = readdirSync(embeddingCacheDir).filter(
      (f) => f.endsWith('.emb') && readFileSync(join(embeddingCacheDir, f)).length > 0,
    );
    const path = join(embeddingCacheDir, file);
    const bytes = readFileSync(path);
    const truncatedFor = readdirSync(embeddingCacheDir).filter((f) => f.endsWith('.emb'));
    expect(truncatedFor).toHaveLength(2); // cats and elephants
    for (const name of truncatedFor)
      writeFileSync(
        join(embeddingCacheDir, name),
        readFileSync(join(embeddingCacheDir, name)).subarray(0, 1000),
      );
    const recomputed = await second.embedImage(cats);
    expect(recomputed.cache).toBe('invalid');
    expect(logs.some((m) => /embedding cache entry rejected \(truncated payload/.test(m))).toBe(true);
    expect(maxAbsDiff(recomputed.embedding.data, catsEmbedding.data)).toBeLessThan(1e-5);
    expect(readFileSync(path).length).toBe(bytes.length); // rewritten whole
    await second.dispose();
  });

  it('prepares the trunk once per decoder and caches it on disk', async () => {
    const files = readdirSync(modelCacheDir).sort();
    expect(files).toEqual([
      'file-digests.json',
      expect.stringMatching(/^sam-encoder-int8-v1-[0-9a-f]{16}\.onnx$/),
      expect.stringMatching(/^sam-heads-[0-9a-f]{16}\.bin$/),
      expect.stringMatching(new RegExp(`^sam-trunk-v${TRUNK_SURGERY_VERSION}-[0-9a-f]{16}\\.onnx$`)),
    ]);
    expect(logs.filter((m) => m.startsWith('prepared the decoder trunk'))).toHaveLength(1);
    // A warm start takes the head weights from the cache: the same values as decoding sam.onnx.
    const warm = await SamRuntime.create({ modelCacheDir });
    const fresh = await SamRuntime.create({});
    for (const [name, layer] of fresh.headWeights().layers) {
      const cached = warm.headWeights().layers.get(name)!;
      expect(firstDifference(cached.weight, layer.weight)).toBe(-1);
      expect(firstDifference(cached.bias, layer.bias)).toBe(-1);
    }
  });

  it('saves the onnxruntime-optimised trunk and loads it back with the same results', async () => {
    const optimizedModelDir = join(scratch, 'optimized');
    const prompt: Prompt[] = [{ points: [{ x: 240, y: 150, label: 1 }] }];
    const first = await SamRuntime.create({ modelCacheDir, optimizedModelDir });
    const a = await first.trunk(catsEmbedding, prompt, size(cats));
    expect(readdirSync(optimizedModelDir)).toEqual([
      expect.stringMatching(/^sam-trunk-[0-9a-f]{16}-ort1\.30\.0-all-cpu-[0-9a-f]{8}\.onnx$/),
    ]);
    const second = await SamRuntime.create({ modelCacheDir, optimizedModelDir });
    const b = await second.trunk(catsEmbedding, prompt, size(cats));
    expect(maxAbsDiff(a.upscaled, b.upscaled)).toBeLessThan(1e-5);
    await Promise.all([first.dispose(), second.dispose()]);
  });

  it('names a missing execution provider clearly', async () => {
    const unknown = await SamRuntime.create({ executionProvider: 'quantum' });
    const error = await unknown.trunk(catsEmbedding, [{ box: [1, 1, 5, 5] }], size(cats)).catch((e) => e);
    expect(TasamError.hasCode(error, 'EXECUTION_PROVIDER_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(
      /^execution provider "quantum": unknown to this onnxruntime-node build \(known: cpu/,
    );
  });

  it('rejects bad prompts and embeddings with typed errors', async () => {
    const outside = await runtime
      .segment(catsEmbedding, size(cats), { points: [{ x: 700, y: 10, label: 1 }] })
      .catch((e) => e);
    expect(TasamError.hasCode(outside, 'INVALID_PROMPT')).toBe(true);
    expect(outside.message).toBe('prompt point 1 (700, 10): outside the 640x371 image');
    const wrong = await runtime
      .trunk({ data: new Float32Array(10), dims: [10] }, [{ box: [1, 1, 5, 5] }], size(cats))
      .catch((e) => e);
    expect(TasamError.hasCode(wrong, 'INVALID_TENSOR')).toBe(true);
    expect(existsSync(modelCacheDir)).toBe(true);
  });

  it('runs int8 by default (built once, recorded checksum) and fp32 on request, cached apart', async () => {
    // The shared runtime is the default, int8: it built the int8 encoder into modelCacheDir once.
    expect(runtime.encoderPrecision).toBe('int8');
    const sourceSha = createHash('sha256').update(readFileSync(runtime.models.encoder)).digest('hex');
    expect(runtime.encoderDigest()).toBe(KNOWN_INT8_ENCODERS[sourceSha]);
    expect(readdirSync(modelCacheDir)).toContain(`sam-encoder-int8-v1-${sourceSha.slice(0, 16)}.onnx`);
    expect(logs.filter((m) => m.startsWith('prepared the int8 encoder'))).toHaveLength(1);

    const fp32 = await SamRuntime.create({
      modelCacheDir,
      embeddingCacheDir, // the int8 embedding of cats is in here: it must not be served for fp32
      encoderPrecision: 'fp32',
    });
    expect(fp32.encoderDigest()).toBe(sourceSha);
    const result = await fp32.embedImage(cats);
    expect(result.cache).toBe('miss');
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let i = 0; i < catsEmbedding.data.length; i++) {
      dot += result.embedding.data[i] * catsEmbedding.data[i];
      a2 += result.embedding.data[i] ** 2;
      b2 += catsEmbedding.data[i] ** 2;
    }
    expect(dot / Math.sqrt(a2 * b2)).toBeGreaterThan(0.999);
    expect(maxAbsDiff(result.embedding.data, catsEmbedding.data)).toBeGreaterThan(0); // int8 really differs
    expect((await fp32.embedImage(cats)).cache).toBe('hit');
    expect((await runtime.embedImage(cats)).cache).toBe('hit'); // the int8 entry untouched
    await fp32.dispose();
    await expect(SamRuntime.create({ encoderPrecision: 'fp16' as 'int8' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
});
