import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { UploadResponse } from '../api-types';
import { round } from '../encoded-instances';
import { DemoRequestError } from '../errors/demo-request-error';
import { UploadTooLargeError } from '../errors/upload-too-large-error';
import type { ImageStore } from '../image-store';
import type { SegmentationEngine } from '../segmentation-engine';
import type { SessionQueue } from '../session-queue';
import { decodeUploadedImage } from '../uploaded-image';

export interface ImagesRouteContext<Embedding> {
  engine: SegmentationEngine<Embedding>;
  queue: SessionQueue;
  store: ImageStore<Embedding>;
  maxUploadBytes: number;
  maxPixels: number;
}

/** Room for the multipart framing around a file of exactly the cap. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * POST /api/images: one file in the multipart field `image` → decoded, checked, encoded once, kept under a
 * random id. The encoder runs once per distinct upload: identical bytes reuse the embedding, and two
 * identical uploads at once share one encoder run.
 */
export function registerImagesRoute<Embedding>(
  app: FastifyInstance,
  context: ImagesRouteContext<Embedding>,
): void {
  const { engine, queue, store, maxUploadBytes, maxPixels } = context;
  const embeddingsInFlight = new Map<string, Promise<Embedding>>();

  // An announced oversize body is refused before a byte of it is read.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || request.url !== '/api/images') return;
    const announced = Number(request.headers['content-length']);
    if (Number.isFinite(announced) && announced > maxUploadBytes + MULTIPART_OVERHEAD) {
      throw new UploadTooLargeError('upload', maxUploadBytes);
    }
  });

  app.post('/api/images', async (request, reply): Promise<UploadResponse> => {
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
      // Streamed without a Content-Length: the multipart parser stops at the cap.
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
        const forget = () => embeddingsInFlight.delete(decoded.sha256);
        pending.then(forget, forget);
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
}
