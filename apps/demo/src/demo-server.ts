import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { HealthResponse, SamplesResponse } from './api-types';
import { WebBuildMissingError } from './errors/web-build-missing-error';
import { toHttpError } from './http-errors';
import { ImageStore } from './image-store';
import { registerImagesRoute } from './routes/images-route';
import { registerSegmentRoute } from './routes/segment-route';
import { listSamples } from './samples';
import type { SegmentationEngine } from './segmentation-engine';
import { SessionQueue } from './session-queue';

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

/** Same-origin everything: the page needs no CDN, no inline script or style, no frames. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

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
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
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

  app.get(
    '/api/health',
    async (): Promise<HealthResponse> => ({
      status: 'ok',
      model: engine.model,
      taskMode: engine.taskMode,
      queue: { pending: queue.size },
      images: store.size,
      limits: { maxUploadBytes, maxPixels },
    }),
  );
  app.get('/api/samples', async (): Promise<SamplesResponse> => ({ samples }));
  registerImagesRoute(app, { engine, queue, store, maxUploadBytes, maxPixels });
  registerSegmentRoute(app, { engine, queue, store });
  return app;
}
