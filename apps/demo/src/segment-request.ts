import { DemoRequestError } from './errors/demo-request-error';

/**
 * `automatic`: SAM's grid of point prompts over the whole image, every object found (with a task: the ones
 * the task asks for). `prompt`: the user's points and box, one object.
 */
export type SegmentMode = 'automatic' | 'prompt';

export interface PointPrompt {
  /** Original-image pixels. */
  x: number;
  y: number;
  /** 1: on the object, 0: background. */
  label: 0 | 1;
}

export interface SegmentRequest {
  imageId: string;
  mode: SegmentMode;
  task?: string;
  points: PointPrompt[];
  /** x0, y0, x1, y1 in original-image pixels. */
  box?: [number, number, number, number];
  /** With a task: also return plain SAM's result from the same trunk run, for the side-by-side view. */
  compare: boolean;
}

export const MAX_POINTS = 32;
export const MAX_TASK_LENGTH = 200;
const KNOWN_FIELDS = new Set(['imageId', 'mode', 'task', 'points', 'box', 'compare']);

/** The image a request refers to, once it is found: needed to check that coordinates fall inside it. */
export interface ImageBounds {
  width: number;
  height: number;
}

/** Reads `imageId` alone, so the image can be looked up before the rest is checked against its size. */
export function readImageId(body: unknown): string {
  const record = asRecord(body);
  if (typeof record.imageId !== 'string' || record.imageId.length === 0) {
    throw new DemoRequestError('imageId', 'required: the id POST /api/images returned');
  }
  return record.imageId;
}

/** Validates a POST /api/segment body; every problem is a DemoRequestError naming the field. */
export function parseSegmentRequest(body: unknown, image: ImageBounds): SegmentRequest {
  const record = asRecord(body);
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(key)) {
      // A plain name as it is; anything else (empty, long, odd characters) quoted and clipped.
      const name = /^[A-Za-z_$][\w$]{0,39}$/.test(key) ? key : JSON.stringify(key.slice(0, 40));
      throw new DemoRequestError(name, `unknown field; expected ${[...KNOWN_FIELDS]}`);
    }
  }
  const imageId = readImageId(record);
  const mode = record.mode ?? 'prompt';
  if (mode !== 'automatic' && mode !== 'prompt') {
    throw new DemoRequestError('mode', `expected "automatic" or "prompt", got ${shown(mode)}`);
  }
  const task = readTask(record.task);
  const points = readPoints(record.points, image);
  const box = readBox(record.box, image);
  if (mode === 'prompt' && points.length === 0 && !box) {
    throw new DemoRequestError('points', 'prompt mode needs at least one point or a box');
  }
  if (mode === 'automatic' && (points.length > 0 || box)) {
    throw new DemoRequestError(
      'mode',
      'automatic mode prompts a grid itself; send points or box with mode "prompt"',
    );
  }
  if (record.compare !== undefined && typeof record.compare !== 'boolean') {
    throw new DemoRequestError('compare', `expected a boolean, got ${shown(record.compare)}`);
  }
  return { imageId, mode, task, points, box, compare: record.compare === true };
}

/** A value as JSON for a message, clipped (a body may hold 64 KB in one field). */
function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function asRecord(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DemoRequestError('body', 'expected a JSON object');
  }
  return body as Record<string, unknown>;
}

function readTask(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DemoRequestError('task', `expected a string, got ${typeof value}`);
  const task = value.trim();
  if (task.length === 0) return undefined;
  if (task.length > MAX_TASK_LENGTH) {
    throw new DemoRequestError('task', `is ${task.length} characters long; at most ${MAX_TASK_LENGTH}`);
  }
  return task;
}

function readPoints(value: unknown, image: ImageBounds): PointPrompt[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DemoRequestError('points', 'expected an array of {x, y, label}');
  if (value.length > MAX_POINTS) {
    throw new DemoRequestError('points', `${value.length} points; at most ${MAX_POINTS}`);
  }
  return value.map((point, i) => {
    const name = `points[${i}]`;
    if (typeof point !== 'object' || point === null)
      throw new DemoRequestError(name, 'expected {x, y, label}');
    const { x, y, label } = point as Record<string, unknown>;
    if (label !== 0 && label !== 1) {
      throw new DemoRequestError(
        `${name}.label`,
        `expected 1 (object) or 0 (background), got ${shown(label)}`,
      );
    }
    return {
      x: readCoordinate(x, `${name}.x`, image.width),
      y: readCoordinate(y, `${name}.y`, image.height),
      label,
    };
  });
}

function readBox(value: unknown, image: ImageBounds): [number, number, number, number] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length !== 4)
    throw new DemoRequestError('box', 'expected [x0, y0, x1, y1]');
  const box: [number, number, number, number] = [
    readCoordinate(value[0], 'box[0]', image.width),
    readCoordinate(value[1], 'box[1]', image.height),
    readCoordinate(value[2], 'box[2]', image.width),
    readCoordinate(value[3], 'box[3]', image.height),
  ];
  if (box[2] <= box[0] || box[3] <= box[1]) {
    throw new DemoRequestError('box', `[${box}] is empty: expected x0 < x1 and y0 < y1`);
  }
  return box;
}

function readCoordinate(value: unknown, name: string, limit: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DemoRequestError(name, `expected a number, got ${shown(value)}`);
  }
  if (value < 0 || value > limit)
    throw new DemoRequestError(name, `${value} lies outside the image (0..${limit})`);
  return value;
}
