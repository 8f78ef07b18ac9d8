import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { AllowedHosts } from './allowed-hosts';
import type { HealthResponse, SamplesResponse } from './api-types';
import { watchClient } from './client-gone';
import { CrossOriginError } from './errors/cross-origin-error';
import { MethodNotAllowedError } from './errors/method-not-allowed-error';
import { WebBuildMissingError } from './errors/web-build-missing-error';
import { EventLoopLag } from './event-loop-lag';
import { toHttpError } from './http-errors';
import { DEFAULT_IMAGE_STORE, ImageStore } from './image-store';
import { JobDurations, type JobKind } from './job-durations';
import { stampArrival } from './request-arrival';
import { registerImagesRoute } from './routes/images-route';
import { registerSegmentRoute } from './routes/segment-route';
import { listSamples } from './samples';
import type { SegmentationEngine } from './segmentation-engine';
import {
  DEFAULT_ADMISSION_DEVIATIONS,
  DEFAULT_MAX_PENDING,
  DEFAULT_MAX_WAIT_MS,
  SessionQueue,
} from './session-queue';
import { uploadLimits } from './upload-part';

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
  /**
   * Admission bound, ms: a request the model is not expected to answer within it of its arrival (its time so
   * far, the queue served before it, its own run, from conservative measured job times) gets 503 with a
   * Retry-After at once; an admitted one that can no longer make it (a slow spell) is shed with the same 503
   * before it runs. Default 10 000.
   */
  maxWaitMs?: number;
  /** What each job kind is assumed to take until one has been measured, ms (JobDurations' priors). */
  jobPriorsMs?: Partial<Record<JobKind, number>>;
  /**
   * Margin for slower jobs when admitting, in standard deviations (of measured job times) per queued job.
   * Default 1; 0 admits on the means alone.
   */
  admissionDeviations?: number;
  /**
   * Time a request spends outside the queue that its client still waits for, kept free in its budget, ms.
   * Default: the event loop's longest recent block (a request arriving meanwhile is seen that much late: near
   * zero with WorkerSamEngine, a whole model run with an engine on this thread); 0 when `now` is injected
   * (tests own the time).
   */
  reserveMs?: () => number;
  /** Hard cap on requests waiting for or holding the model, whatever their expected times. Default 256. */
  maxQueued?: number;
  /** Uploaded images (and embeddings, 4 MB each) held in memory. Default 24. */
  maxImages?: number;
  /** Images one page session may hold (its own oldest go first). Default 4. */
  maxImagesPerSession?: number;
  /** Images all uploads without a session header may hold together. Default 8. */
  maxAnonymousImages?: number;
  /** A session that used none of its images for this long is idle; its images may be evicted. Default 15 min. */
  sessionIdleMs?: number;
  /** Host names served besides localhost, 127.0.0.1 and [::1] (`NAME`: any port; `NAME:PORT`). */
  allowedHosts?: readonly string[];
  /** The address the server will listen on (HOST): served too; a wildcard adds this machine's addresses. */
  listenHost?: string;
  /** Milliseconds, monotonic, for the queue and the image store; injectable for tests. */
  now?: () => number;
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

  const now = options.now ?? (() => performance.now());
  const lag = options.reserveMs || options.now ? undefined : new EventLoopLag();
  const reserveMs = options.reserveMs ?? (lag ? () => lag.recentMaxMs() : () => 0);
  const queue = new SessionQueue({
    maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    maxPending: options.maxQueued ?? DEFAULT_MAX_PENDING,
    deviations: options.admissionDeviations ?? DEFAULT_ADMISSION_DEVIATIONS,
    durations: new JobDurations(options.jobPriorsMs),
    now,
    reserveMs,
  });
  const store = new ImageStore<Embedding>({
    capacity: options.maxImages ?? DEFAULT_IMAGE_STORE.capacity,
    perSession: options.maxImagesPerSession ?? DEFAULT_IMAGE_STORE.perSession,
    anonymous: options.maxAnonymousImages ?? DEFAULT_IMAGE_STORE.anonymous,
    sessionIdleMs: options.sessionIdleMs ?? DEFAULT_IMAGE_STORE.sessionIdleMs,
    ...(options.now ? { now: options.now } : {}),
  });
  const hosts = new AllowedHosts({ extra: options.allowedHosts, listenHost: options.listenHost });
  const samples = listSamples(samplesDir);
  const sampleFiles = new Set(samples.map((sample) => sample.url.slice('/samples/'.length)));

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024,
    // Errors Fastify raises before routing (a malformed URL such as `/%zz`): the same `{ error: { code,
    // message } }` body as every other error, not Fastify's own shape.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = toHttpError(error);
      // Typed for the (empty) route generics of a request that matched no route.
      (reply as FastifyReply).code(status).send(body);
    },
  });
  /** The port it listens on; undefined before `listen` (requests through `inject`). */
  const servingPort = () => {
    const address = app.server.address();
    return typeof address === 'object' && address ? address.port : undefined;
  };

  app.setErrorHandler((error, request, reply) => {
    const { status, body, serverFault, headers } = toHttpError(error);
    if (serverFault) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code }, body.error.message);
    reply
      .code(status)
      .headers(headers ?? {})
      .send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: { code: 'DEMO_NOT_FOUND', message: `${request.method} ${request.url}: no such route or file` },
    });
  });
  if (lag) app.addHook('onClose', async () => lag.stop());
  app.addHook('onRequest', async (request, reply) => {
    // First: the client's wait (and its job's deadline) starts when the request arrives.
    stampArrival(request, now());
    watchClient(request, reply);
    // Before routing: a Host this demo is not (DNS rebinding), then a page of another origin (its requests
    // carry an Origin). Neither gets any Access-Control-* header: the demo shares nothing across origins.
    hosts.checkHost(request.headers.host, servingPort());
    const origin = request.headers.origin;
    if (origin !== undefined) hosts.checkOrigin(origin, servingPort());
  });
  app.addHook('onSend', async (request, reply, payload) => {
    // Answered before the body was read (an oversize or malformed upload): the rest of the body is still on
    // the socket, so it cannot carry another request. Telling the client keeps it from reusing it.
    if (!request.raw.complete) reply.header('connection', 'close');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    return payload;
  });

  // CORS preflights are refused (403, no Access-Control-Allow-Origin); any other OPTIONS is 405.
  app.options('*', async (request) => {
    if (request.headers['access-control-request-method'] !== undefined) throw new CrossOriginError(undefined);
    throw new MethodNotAllowedError(request.method);
  });

  await app.register(multipart, { limits: uploadLimits(maxUploadBytes) });
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
      queue: {
        pending: queue.size,
        expectedDrainMs: Math.round(queue.expectedDrainMs()),
        maxWaitMs: queue.maxWaitMs,
        expectedJobMs: queue.durations.snapshot(),
        reserveMs: Math.round(reserveMs()),
      },
      images: store.size,
      imageStore: { ...store.census(), capacity: store.capacity },
      limits: { maxUploadBytes, maxPixels },
    }),
  );
  app.get('/api/samples', async (): Promise<SamplesResponse> => ({ samples }));
  registerImagesRoute(app, { engine, queue, store, maxUploadBytes, maxPixels });
  registerSegmentRoute(app, { engine, queue, store });
  return app;
}
