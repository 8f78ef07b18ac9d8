import type { PromptBox, PromptPoint } from './prompt-state';

export interface GestureHandlers {
  onPoint(point: PromptPoint): void;
  onBox(box: PromptBox): void;
  onUndo(): void;
  onClear(): void;
  /** The keyboard cursor moved or the box anchor changed: redraw the prompt layer. */
  onCursor(cursor: KeyboardCursor | null): void;
}

export interface KeyboardCursor {
  x: number;
  y: number;
  /** First corner of a box being drawn with the keyboard. */
  boxAnchor: { x: number; y: number } | null;
}

/** Pointer moves shorter than this (in screen pixels) are clicks, longer ones draw a box. */
const DRAG_THRESHOLD = 6;

/**
 * Turns pointer and keyboard input on `surface` (a canvas shown over the image) into prompts in image pixels.
 * Click: object point; Shift+click or right-click: background point; drag: box. Keyboard: arrows move a
 * cursor (Shift: 10x), Enter or Space adds an object point, Shift+Enter a background point, B starts and
 * ends a box, Backspace undoes, Escape clears.
 */
export function attachPromptGestures(
  surface: HTMLCanvasElement,
  imageSize: () => { width: number; height: number } | null,
  handlers: GestureHandlers,
): void {
  let drag: { x: number; y: number; clientX: number; clientY: number; label: 0 | 1 } | null = null;
  let cursor: KeyboardCursor | null = null;

  const toImage = (event: { clientX: number; clientY: number }) => {
    const size = imageSize();
    if (!size) return null;
    const rect = surface.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * size.width;
    const y = ((event.clientY - rect.top) / rect.height) * size.height;
    return { x: clamp(x, 0, size.width), y: clamp(y, 0, size.height) };
  };

  surface.addEventListener('contextmenu', (event) => event.preventDefault());
  surface.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 && event.button !== 2) return;
    const at = toImage(event);
    if (!at) return;
    surface.setPointerCapture(event.pointerId);
    const label = event.button === 2 || event.shiftKey ? 0 : 1;
    drag = { ...at, clientX: event.clientX, clientY: event.clientY, label };
  });
  surface.addEventListener('pointerup', (event) => {
    if (!drag) return;
    const start = drag;
    drag = null;
    const at = toImage(event);
    if (!at) return;
    const moved = Math.hypot(event.clientX - start.clientX, event.clientY - start.clientY);
    if (moved < DRAG_THRESHOLD) {
      handlers.onPoint({ x: start.x, y: start.y, label: start.label });
    } else {
      handlers.onBox(orderedBox(start, at));
    }
  });
  surface.addEventListener('pointercancel', () => {
    drag = null;
  });

  surface.addEventListener('blur', () => {
    cursor = null;
    handlers.onCursor(null);
  });
  surface.addEventListener('keydown', (event) => {
    const size = imageSize();
    if (!size) return;
    if (!cursor) cursor = { x: size.width / 2, y: size.height / 2, boxAnchor: null };
    const step = (event.shiftKey ? 0.1 : 0.01) * Math.max(size.width, size.height);
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[event.key];
    if (move) {
      cursor.x = clamp(cursor.x + move[0], 0, size.width);
      cursor.y = clamp(cursor.y + move[1], 0, size.height);
    } else if (event.key === 'Enter' || event.key === ' ') {
      handlers.onPoint({ x: cursor.x, y: cursor.y, label: event.shiftKey ? 0 : 1 });
    } else if (event.key === 'b' || event.key === 'B') {
      if (cursor.boxAnchor) {
        const box = orderedBox(cursor.boxAnchor, cursor);
        cursor.boxAnchor = null;
        if (box[2] > box[0] && box[3] > box[1]) handlers.onBox(box);
      } else {
        cursor.boxAnchor = { x: cursor.x, y: cursor.y };
      }
    } else if (event.key === 'Backspace') {
      handlers.onUndo();
    } else if (event.key === 'Escape') {
      cursor.boxAnchor = null;
      handlers.onClear();
    } else {
      return;
    }
    event.preventDefault();
    handlers.onCursor({ ...cursor });
  });
}

function orderedBox(a: { x: number; y: number }, b: { x: number; y: number }): PromptBox {
  return [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
