import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { UploadResponse } from '../api-types';
import { clientGoneSignal, unlessClientGone } from '../client-gone';
import { queueOwnerOf, readSession } from '../client-session';
import { round } from '../encoded-instances';
import { ClientGoneError } from '../errors/client-gone-error';
import { UploadTooLargeError } from '../errors/upload-too-large-error';
import type { ImageStore } from '../image-store';
import { arrivalOf } from '../request-arrival';
import type { SegmentationEngine } from '../segmentation-engine';
import type { JobOrigin, SessionQueue } from '../session-queue';
import { readUploadPart } from '../upload-part';
import { decodeUploadedImage, type RgbPixels } from '../uploaded-image';

export interface ImagesRouteContext<Embedding> {
  engine: SegmentationEngine<Embedding>;
  queue: SessionQueue;
  store: ImageStore<Embedding>;
  maxUploadBytes: number;
  maxPixels: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Room for the multipart framing around a file of exactly the cap. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** One encoder run that several identical uploads wait for; cancelled when the last of them has gone. */
interface SharedEncoding<Embedding> {
  result: Promise<Embedding>;
  waiters: number;
  cancel: AbortController;
  timings: { queueMs?: number; encoderMs?: number };
}

/**
 * POST /api/images: one file in the multipart field `image` → decoded, checked, encoded once, kept under a
 * random id. The encoder runs once per distinct upload: identical bytes reuse the embedding, and two
 * identical uploads at once share one encoder run. An upload whose client leaves before the answer is not
 * stored, and its encoder job is dropped from the queue (unless another client waits for the same bytes).
 */
export function registerImagesRoute<Embedding>(
  app: FastifyInstance,
  context: ImagesRouteContext<Embedding>,
): void {
  const { engine, queue, store, maxUploadBytes, maxPixels } = context;
  const encodings = new Map<string, SharedEncoding<Embedding>>();

  // An announced oversize body is refused before a byte of it is read.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || request.url !== '/api/images') return;
    const announced = Number(request.headers['content-length']);
    if (Number.isFinite(announced) && announced > maxUploadBytes + MULTIPART_OVERHEAD) {
      throw new UploadTooLargeError('upload', maxUploadBytes);
    }
  });

  /** The shared encoder job for these bytes, queued when none is in flight. */
  function encodingFor(
    hash: string,
    pixels: RgbPixels,
    decodedAt: number,
    origin: JobOrigin,
  ): SharedEncoding<Embedding> {
    const inFlight = encodings.get(hash);
    if (inFlight) return inFlight;
    const cancel = new AbortController();
    const timings: SharedEncoding<Embedding>['timings'] = {};
    const result = queue.run(
      'encode',
      async () => {
        const start = performance.now();
        timings.queueMs = start - decodedAt;
        const embedding = await engine.embed(pixels);
        timings.encoderMs = performance.now() - start;
        return embedding;
      },
      { signal: cancel.signal, ...origin },
    );
    const shared: SharedEncoding<Embedding> = { result, waiters: 0, cancel, timings };
    const forget = () => {
      if (encodings.get(hash) === shared) encodings.delete(hash);
    };
    result.then(forget, forget);
    encodings.set(hash, shared);
    return shared;
  }

  app.post('/api/images', async (request, reply): Promise<UploadResponse> => {
    const started = performance.now();
    const gone = clientGoneSignal(request);
    const session = readSession(request.headers);
    // Its deadline counts from its arrival: reading and decoding the upload spend its client's time too.
    const origin: JobOrigin = { owner: queueOwnerOf(request.headers), arrivedAt: arrivalOf(request) };
    // While the encoder could not take an upload in time (or the store could not keep it), the upload is
    // refused before its body is parsed or decoded: under overload a refusal must cost next to nothing. The
    // body is read and dropped unparsed, so the connection stays usable (closing it mid-upload makes clients
    // reconnect, and some see a reset instead of the 503). An upload of bytes already encoded is refused too.
    try {
      queue.assertAdmits('encode', origin);
      store.assertRoomFor(session);
    } catch (refusal) {
      await discardBody(request.raw, maxUploadBytes + MULTIPART_OVERHEAD);
      throw refusal;
    }
    const { filename, bytes } = await readUploadPart(request, maxUploadBytes);
    const hash = sha256(bytes);
    if (!store.embeddingFor(hash) && !encodings.has(hash)) {
      // Checked again now that the body is in (the queue may have grown meanwhile): still before decoding.
      store.assertRoomFor(session);
      queue.assertAdmits('encode', origin);
    }
    const decoded = await decodeUploadedImage(bytes, filename, { maxPixels });
    const decodedAt = performance.now();
    let queueMs = 0;
    let encoderMs = 0;
    let embedding = store.embeddingFor(hash);
    const cached = embedding !== undefined;
    if (!embedding) {
      store.assertRoomFor(session);
      const shared = encodingFor(hash, decoded.rgb, decodedAt, origin);
      shared.waiters++;
      try {
        embedding = await unlessClientGone(shared.result, gone, `upload ${filename}`);
      } finally {
        shared.waiters--;
        if (gone.aborted && shared.waiters === 0) {
          // Nobody waits for this run any more: out of the queue (or its result dropped), and out of the map
          // so that a later upload of the same bytes queues a fresh run.
          if (encodings.get(hash) === shared) encodings.delete(hash);
          shared.cancel.abort();
        }
      }
      queueMs = shared.timings.queueMs ?? 0;
      encoderMs = shared.timings.encoderMs ?? 0;
    }
    if (gone.aborted) throw new ClientGoneError(`upload ${filename}`);
    const image = store.add(
      {
        width: decoded.rgb.width,
        height: decoded.rgb.height,
        format: decoded.format,
        sha256: decoded.sha256,
        embedding,
      },
      session,
    );
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
}

/** Reads and drops a request body (up to `limit` bytes; beyond it the connection is closed after the answer). */
async function discardBody(body: IncomingMessage, limit: number): Promise<void> {
  let read = 0;
  try {
    for await (const chunk of body) {
      read += (chunk as Buffer).length;
      if (read > limit) return;
    }
  } catch {
    // a client that went away: nothing to answer anyway
  }
}
