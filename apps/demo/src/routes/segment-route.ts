import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { SegmentResponse } from '../api-types';
import { encodeInstances, round } from '../encoded-instances';
import { TaskModeUnavailableError } from '../errors/task-mode-unavailable-error';
import type { ImageStore } from '../image-store';
import { parseSegmentRequest, readImageId } from '../segment-request';
import type { SegmentationEngine } from '../segmentation-engine';
import type { SessionQueue } from '../session-queue';

export interface SegmentRouteContext<Embedding> {
  engine: SegmentationEngine<Embedding>;
  queue: SessionQueue;
  store: ImageStore<Embedding>;
}

/**
 * POST /api/segment: masks for an uploaded image, from points/box or the automatic grid, with plain SAM's
 * heads, the task's, or both. The model runs in the queue; masks are COCO-compressed after it, off the queue.
 */
export function registerSegmentRoute<Embedding>(
  app: FastifyInstance,
  context: SegmentRouteContext<Embedding>,
): void {
  const { engine, queue, store } = context;
  app.post('/api/segment', async (request): Promise<SegmentResponse> => {
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
      grounding: segmentation.grounding
        ? {
            grounded: segmentation.grounding.grounded,
            categories: segmentation.grounding.categories.map(({ id, name, score }) => ({
              id,
              name,
              score: round(score, 4),
            })),
            colour: segmentation.grounding.colour,
          }
        : null,
      path: segmentRequest.task ? (segmentation.path ?? null) : null,
      results: { ...(sam ? { sam } : {}), ...(tasam ? { tasam } : {}) },
      timings: {
        queueMs: round(queueMs, 1),
        taskMs: round(segmentation.taskMs ?? 0, 1),
        trunkMs: round(segmentation.trunkMs, 1),
        encodeMs: round(encodeMs, 1),
        totalMs: round(performance.now() - started, 1),
        ...(segmentation.detectMs !== undefined ? { detectMs: round(segmentation.detectMs, 1) } : {}),
      },
    };
  });
}
