import { InvalidPromptError } from './errors';
import type { ImageFrame } from './image-frame';
import { SAM_LOW_RES_SIZE } from './image-frame';
import { assertDims, type Tensor32 } from './tensor';

/** A click in original-image pixels: label 1 = foreground, 0 = background. */
export interface PointPrompt {
  x: number;
  y: number;
  label: 0 | 1;
}

/** Box corners x0,y0,x1,y1 in original-image pixels. */
export type BoxPrompt = [number, number, number, number];

/** One SAM prompt: points, a box, both, and optionally a previous low-res mask (logits [1,1,256,256]). */
export interface Prompt {
  points?: PointPrompt[];
  box?: BoxPrompt;
  maskInput?: Tensor32;
}

/** Decoder label values (SAM's prompt encoder). */
export const PointLabel = {
  padding: -1,
  background: 0,
  foreground: 1,
  boxTopLeft: 2,
  boxBottomRight: 3,
} as const;

/** A prompt as the decoder takes it: coordinates in the 1024 frame, labels, token count. */
export interface EncodedPrompt {
  /** [tokens, 2] in the 1024 frame. */
  coords: Float32Array;
  /** [tokens]. */
  labels: Float32Array;
  tokens: number;
  maskInput?: Float32Array;
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Throws InvalidPromptError naming the offending part unless `prompt` fits inside `frame`. */
export function validatePrompt(prompt: Prompt, frame: ImageFrame, name = 'prompt'): void {
  if (!prompt || typeof prompt !== 'object') throw new InvalidPromptError(name, 'expected an object');
  const { points, box, maskInput } = prompt;
  const imageSize = `${frame.width}x${frame.height}`;
  if (points !== undefined) {
    if (!Array.isArray(points))
      throw new InvalidPromptError(`${name}.points`, 'expected an array of {x, y, label}');
    points.forEach((point, i) => {
      const where = `${name} point ${i + 1}`;
      if (!point || !isFiniteNumber(point.x) || !isFiniteNumber(point.y)) {
        throw new InvalidPromptError(where, 'x and y must be finite numbers');
      }
      if (point.label !== 0 && point.label !== 1) {
        throw new InvalidPromptError(
          `${where} (${point.x}, ${point.y})`,
          `label must be 1 (foreground) or 0 (background), got ${String(point.label)}`,
        );
      }
      if (!frame.contains(point.x, point.y)) {
        throw new InvalidPromptError(`${where} (${point.x}, ${point.y})`, `outside the ${imageSize} image`);
      }
    });
  }
  if (box !== undefined) {
    const where = `${name} box`;
    if (!Array.isArray(box) || box.length !== 4 || !box.every(isFiniteNumber)) {
      throw new InvalidPromptError(where, 'expected four finite numbers x0,y0,x1,y1');
    }
    const [x0, y0, x1, y1] = box;
    if (x1 <= x0 || y1 <= y0) {
      throw new InvalidPromptError(`${where} ${box.join(',')}`, 'needs x0 < x1 and y0 < y1');
    }
    if (!frame.contains(x0, y0) || !frame.contains(x1, y1)) {
      throw new InvalidPromptError(`${where} ${box.join(',')}`, `extends outside the ${imageSize} image`);
    }
  }
  if (maskInput !== undefined)
    assertDims(`${name}.maskInput`, maskInput, [1, 1, SAM_LOW_RES_SIZE, SAM_LOW_RES_SIZE]);
  if (!points?.length && !box && !maskInput) {
    throw new InvalidPromptError(name, 'is empty: give at least one point, a box or a mask input');
  }
}

/**
 * Encodes a validated prompt as SamOnnxModel expects: points, then box corners (labels 2, 3); without a box a
 * padding point (0,0) with label -1 is appended, exactly as SAM's prompt encoder pads.
 */
export function encodePrompt(prompt: Prompt, frame: ImageFrame): EncodedPrompt {
  const points = prompt.points ?? [];
  const tokens = points.length + (prompt.box ? 2 : 1);
  const coords = new Float32Array(tokens * 2);
  const labels = new Float32Array(tokens);
  points.forEach((point, i) => {
    coords.set(frame.toModel(point.x, point.y), i * 2);
    labels[i] = point.label;
  });
  const k = points.length;
  if (prompt.box) {
    coords.set(frame.boxToModel(prompt.box), k * 2);
    labels[k] = PointLabel.boxTopLeft;
    labels[k + 1] = PointLabel.boxBottomRight;
  } else {
    labels[k] = PointLabel.padding;
  }
  return { coords, labels, tokens, maskInput: prompt.maskInput?.data };
}
