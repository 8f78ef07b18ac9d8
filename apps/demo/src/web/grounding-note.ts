import type { SegmentResponse } from '../api-types';

/**
 * One line saying how a task was read and which path found its masks, for the page's #grounding element:
 * "Grounded to COCO: cat, dog · colour: white · detector boxes → task-adapted heads", or "no COCO category:
 * task scorer". Null when the response has no task (nothing to say).
 */
export function describeGrounding(
  response: Pick<SegmentResponse, 'task' | 'grounding' | 'path'>,
): string | null {
  if (!response.task || !response.path) return null;
  const { grounding, path } = response;
  if (path === 'prompt') return 'Your prompt through the task-adapted heads.';
  const colour = grounding?.colour ? ` · colour: ${grounding.colour}` : '';
  if (path === 'detector' && grounding) {
    const names = grounding.categories.map((category) => category.name).join(', ');
    return `Grounded to COCO: ${names}${colour} · detector boxes → task-adapted heads`;
  }
  if (grounding) return `no COCO category: task scorer${colour}`;
  return 'Not grounded (no detector on this server): task scorer';
}
