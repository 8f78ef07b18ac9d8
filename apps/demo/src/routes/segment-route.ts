import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { SegmentResponse } from '../api-types';
import { clientGoneSignal } from '../client-gone';
import { queueOwnerOf } from '../client-session';
import { encodeInstances, round } from '../encoded-instances';
import { TaskModeUnavailableError } from '../errors/task-mode-unavailable-error';
import type { ImageStore } from '../image-store';
import type { JobKind } from '../job-durations';
import { arrivalOf } from '../request-arrival';
import { parseSegmentRequest, readImageId, type SegmentRequest } from '../segment-request';
import type { SegmentationEngine } from '../segmentation-engine';
import type { SessionQueue } from '../session-queue';

export interface SegmentRouteContext<Embedding> {
  engine: SegmentationEngine<Embedding>;
  queue: SessionQueue;
  store: ImageStore<Embedding>;
}

/** The queue's job kind for a request: prompt, the plain grid, or a task's automatic mode. */
export function jobKindOf(request: Pick<SegmentRequest, 'mode' | 'task'>): JobKind {
  if (request.mode === 'prompt') return 'prompt';
  return request.task ? 'task' : 'automatic';
}

/**
 * POST /api/segment: masks for an uploaded image, from points/box or the automatic grid, with plain SAM's
 * heads, the task's, or both. The model, its heads and the masks' COCO compression all run in the queue job,
 * so the measured job times the admission plans with include them.
 * A request whose client leaves is dropped from the queue (or, running, its masks are never encoded).
 */
export function registerSegmentRoute<Embedding>(
  app: FastifyInstance,
  context: SegmentRouteContext<Embedding>,
): void {
  const { engine, queue, store } = context;
  app.post('/api/segment', async (request): Promise<SegmentResponse> => {
    const started = performance.now();
    const gone = clientGoneSignal(request);
    const image = store.get(readImageId(request.body));
    const segmentRequest = parseSegmentRequest(request.body, image);
    if (segmentRequest.task && !engine.taskMode.available) {
      throw new TaskModeUnavailableError(segmentRequest.task, engine.taskMode.reason ?? 'not loaded');
    }
    let queueMs = 0;
    let encodeMs = 0;
    // The masks are COCO-compressed inside the job: it is event-loop work that delays the next job anyway, so
    // the queue's measured job times (and so its admission) include it.
    const { segmentation, sam, tasam } = await queue.run(
      jobKindOf(segmentRequest),
      async () => {
        queueMs = performance.now() - started;
        const result = await engine.segment(image.embedding, image, segmentRequest);
        const encodeStarted = performance.now();
        const encoded = {
          segmentation: result,
          sam: result.sam && encodeInstances(result.sam),
          tasam: result.tasam && encodeInstances(result.tasam),
        };
        encodeMs = performance.now() - encodeStarted;
        return encoded;
      },
      // The deadline counts from the request's arrival; the session's fair share of the queue decides its place.
      { signal: gone, owner: queueOwnerOf(request.headers), arrivedAt: arrivalOf(request) },
    );
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
