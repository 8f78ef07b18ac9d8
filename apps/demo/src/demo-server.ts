import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { encodeInstances, round } from './encoded-instances';
import { DemoRequestError } from './errors/demo-request-error';
import { TaskModeUnavailableError } from './errors/task-mode-unavailable-error';
import { UploadTooLargeError } from './errors/upload-too-large-error';
import { WebBuildMissingError } from './errors/web-build-missing-error';
import { toHttpError } from './http-errors';
import { ImageStore } from './image-store';
import { parseSegmentRequest, readImageId } from './segment-request';
import type { SegmentationEngine } from './segmentation-engine';
import { SessionQueue } from './session-queue';
import { decodeUploadedImage } from './uploaded-image';

export interface DemoServerOptions<Embedding> {
  engine: SegmentationEngine<Embedding>;
  /** The built front end (vite's output). Default: `dist/web` next to this file. */
  webRoot?: string;
  /** Sample images offered as one-click examples. Default: the repository's `examples/`. */
  samplesDir?: string;
  /** Upload cap in bytes (413 above it). Default 20 MB. */
  maxUploadBytes?: number;
  /** Pixel cap (422 above it). Default 4096 x 4096. */
  maxPixels?: number;
  /** Requests allowed to wait for the model at once (503 beyond). Default 32. */
  maxQueued?: number;
  /** Uploaded images (and embeddings, 4 MB each) held in memory. Default 24. */
  maxImages?: number;
  logger?: FastifyServerOptions['logger'];
}

export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

export interface SampleImage {
  name: string;
  url: string;
  /** Task suggestions that fit the sample. */
  suggestions: string[];
}

const SAMPLE_FILE = /^[a-z0-9][a-z0-9_-]{0,63}\.(jpe?g|png|webp)$/;

/** Builds (but does not start) the demo's HTTP server: API, sample images and the front end. */
export async function createDemoServer<Embedding>(
  options: DemoServerOptions<Embedding>,
): Promise<FastifyInstance> {
  const { engine } = options;
  const webRoot = resolve(options.webRoot ?? join(__dirname, 'web'));
  const samplesDir = resolve(options.samplesDir ?? join(__dirname, '..', '..', '..', 'examples'));
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!existsSync(join(webRoot, 'index.html'))) throw new WebBuildMissingError(webRoot);

  const queue = new SessionQueue(options.maxQueued ?? 32);
  const store = new ImageStore<Embedding>(options.maxImages ?? 24);
  // Two uploads of the same bytes at once share one encoder run.
  const embeddingsInFlight = new Map<string, Promise<Embedding>>();
  const samples = listSamples(samplesDir);
  const sampleFiles = new Set(samples.map((sample) => sample.url.slice('/samples/'.length)));

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });

  app.setErrorHandler((error, request, reply) => {
    const { status, body, serverFault } = toHttpError(error);
    if (serverFault) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code }, body.error.message);
    reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: { code: 'DEMO_NOT_FOUND', message: `${request.method} ${request.url}: no such route or file` },
    });
  });
  app.addHook('onSend', async (request, reply, payload) => {
    // Answered before the body was read (an oversize or malformed upload): the rest of the body is still on
    // the socket, so it cannot carry another request. Telling the client keeps it from reusing it.
    if (!request.raw.complete) reply.header('connection', 'close');
    reply.header('x-content-type-options', 'nosniff');
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    return payload;
  });

  await app.register(multipart, {
    limits: { fileSize: maxUploadBytes, files: 1, fields: 0, parts: 1, headerPairs: 50 },
  });
  await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: 'index.html', wildcard: false });
  await app.register(fastifyStatic, {
    root: samplesDir,
    prefix: '/samples/',
    decorateReply: false,
    // Only the files listed at start-up, whatever the URL spells.
    allowedPath: (pathName) => sampleFiles.has(pathName.replace(/^\//, '')),
  });

  app.get('/api/health', async () => ({
    status: 'ok',
    model: engine.model,
    taskMode: engine.taskMode,
    queue: { pending: queue.size },
    images: store.size,
    limits: { maxUploadBytes, maxPixels },
  }));

  app.get('/api/samples', async () => ({ samples }));

  // Refuse an announced oversize body before reading it.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || request.url !== '/api/images') return;
    const announced = Number(request.headers['content-length']);
    if (Number.isFinite(announced) && announced > maxUploadBytes + 64 * 1024) {
      throw new UploadTooLargeError('upload', maxUploadBytes);
    }
  });

  app.post('/api/images', async (request, reply) => {
    const started = performance.now();
    const part = await request.file();
    if (!part) throw new DemoRequestError('image', 'the multipart field "image" with the file is missing');
    if (part.fieldname !== 'image') {
      throw new DemoRequestError(part.fieldname.slice(0, 40), 'unexpected field; send the file as "image"');
    }
    const filename = (part.filename || 'upload').slice(0, 80);
    let bytes: Buffer;
    try {
      bytes = await part.toBuffer();
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
        throw new UploadTooLargeError(filename, maxUploadBytes);
      }
      throw error;
    }
    const decoded = await decodeUploadedImage(bytes, filename, { maxPixels });
    const decodedAt = performance.now();
    let queueMs = 0;
    let encoderMs = 0;
    let embedding = store.embeddingFor(decoded.sha256);
    const cached = embedding !== undefined;
    if (!embedding) {
      let pending = embeddingsInFlight.get(decoded.sha256);
      if (!pending) {
        pending = queue.run(async () => {
          const start = performance.now();
          queueMs = start - decodedAt;
          const result = await engine.embed(decoded.rgb);
          encoderMs = performance.now() - start;
          return result;
        });
        embeddingsInFlight.set(decoded.sha256, pending);
        pending.then(
          () => embeddingsInFlight.delete(decoded.sha256),
          () => embeddingsInFlight.delete(decoded.sha256),
        );
      }
      embedding = await pending;
    }
    const image = store.add({
      width: decoded.rgb.width,
      height: decoded.rgb.height,
      format: decoded.format,
      sha256: decoded.sha256,
      embedding,
    });
    reply.code(201);
    return {
      imageId: image.id,
      width: image.width,
      height: image.height,
      format: image.format,
      cached,
      timings: {
        decodeMs: round(decodedAt - started, 1),
        queueMs: round(queueMs, 1),
        encoderMs: round(encoderMs, 1),
        totalMs: round(performance.now() - started, 1),
      },
    };
  });

  app.post('/api/segment', async (request) => {
    const started = performance.now();
    const image = store.get(readImageId(request.body));
    const segmentRequest = parseSegmentRequest(request.body, image);
    if (segmentRequest.task && !engine.taskMode.available) {
      throw new TaskModeUnavailableError(segmentRequest.task, engine.taskMode.reason ?? 'not loaded');
    }
    let queueMs = 0;
    const segmentation = await queue.run(async () => {
      queueMs = performance.now() - started;
      return engine.segment(image.embedding, image, segmentRequest);
    });
    const encodeStarted = performance.now();
    const sam = segmentation.sam && encodeInstances(segmentation.sam);
    const tasam = segmentation.tasam && encodeInstances(segmentation.tasam);
    const encodeMs = performance.now() - encodeStarted;
    return {
      imageId: image.id,
      width: image.width,
      height: image.height,
      mode: segmentRequest.mode,
      task: segmentRequest.task ?? null,
      results: { ...(sam ? { sam } : {}), ...(tasam ? { tasam } : {}) },
      timings: {
        queueMs: round(queueMs, 1),
        taskMs: round(segmentation.taskMs ?? 0, 1),
        trunkMs: round(segmentation.trunkMs, 1),
        encodeMs: round(encodeMs, 1),
        totalMs: round(performance.now() - started, 1),
      },
    };
  });

  return app;
}

/** Sample images in `dir` (only plainly named image files), with a task suggestion from each name. */
export function listSamples(dir: string): SampleImage[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => SAMPLE_FILE.test(file))
    .sort()
    .map((file) => {
      const name = file.replace(/\.[a-z]+$/, '');
      const words = name.replace(/[-_]+/g, ' ');
      return { name, url: `/samples/${file}`, suggestions: [`segment all ${words}`] };
    });
}
