import type { ApiResult } from '../api-types';
import { decodeRleMask } from './coco-rle';
import { paintMasks } from './mask-painter';
import { cssColour, instanceColour } from './palette';
import type { KeyboardCursor } from './prompt-gestures';
import type { PromptBox, PromptPoint } from './prompt-state';

export type ResultKind = 'sam' | 'tasam';

/**
 * One view of the image: the picture, the masks of one head set (plain SAM or tasam) and the prompts, as
 * three stacked canvases at the image's own resolution, and the list of instances with colours and scores.
 */
export class ResultPanel {
  readonly imageLayer: HTMLCanvasElement;
  readonly maskLayer: HTMLCanvasElement;
  readonly promptLayer: HTMLCanvasElement;
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLElement;
  private width = 0;
  private height = 0;
  private revision = 0;
  result: ApiResult | undefined;
  masks: Uint8Array[] = [];

  constructor(
    readonly root: HTMLElement,
    readonly kind: ResultKind,
  ) {
    this.imageLayer = required(root, '.image-layer');
    this.maskLayer = required(root, '.mask-layer');
    this.promptLayer = required(root, '.prompt-layer');
    this.list = required(root, '.instances');
    this.empty = required(root, '.empty-result');
  }

  setImage(bitmap: ImageBitmap, width: number, height: number): void {
    this.width = width;
    this.height = height;
    for (const canvas of [this.imageLayer, this.maskLayer, this.promptLayer]) {
      canvas.width = width;
      canvas.height = height;
    }
    context(this.imageLayer).drawImage(bitmap, 0, 0, width, height);
    this.root.closest('.panels')?.classList.add('has-image');
    this.setResult(undefined, '');
  }

  setResult(result: ApiResult | undefined, emptyMessage: string): void {
    this.result = result;
    this.masks = result ? result.instances.map((instance) => decodeRleMask(instance.rle)) : [];
    const masks = context(this.maskLayer);
    masks.clearRect(0, 0, this.width, this.height);
    if (this.masks.length > 0) {
      const rgba = paintMasks(this.masks, this.width, this.height, { fillAlpha: 0.5, outlineAlpha: 0.95 });
      masks.putImageData(new ImageData(rgba, this.width, this.height), 0, 0);
    }
    this.list.replaceChildren(
      ...(result?.instances ?? []).map((instance, i) => {
        const item = document.createElement('li');
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.backgroundColor = cssColour(instanceColour(i));
        swatch.setAttribute('aria-hidden', 'true');
        const category = instance.category ? ` ${instance.category}` : '';
        item.append(
          swatch,
          `#${i + 1}${category} score ${instance.score.toFixed(3)} · ${instance.area.toLocaleString('en-US')} px`,
        );
        if (instance.category) item.dataset.category = instance.category;
        return item;
      }),
    );
    const message = result && result.instances.length === 0 ? 'No mask found.' : result ? '' : emptyMessage;
    this.empty.textContent = message;
    this.empty.hidden = message === '';
    this.revision++;
    this.root.dataset.revision = String(this.revision);
    this.root.dataset.instances = String(this.masks.length);
    for (const button of this.root.querySelectorAll<HTMLButtonElement>('.download')) {
      button.disabled = this.masks.length === 0;
    }
  }

  drawPrompts(
    prompts: { points: readonly PromptPoint[]; box: PromptBox | null },
    cursor: KeyboardCursor | null,
  ): void {
    const ctx = context(this.promptLayer);
    ctx.clearRect(0, 0, this.width, this.height);
    // Marker sizes in image pixels, so they look the same on screen whatever the image's resolution.
    const unit = Math.max(this.width, this.height) / Math.max(1, this.promptLayer.clientWidth || 800);
    if (prompts.box) {
      const [x0, y0, x1, y1] = prompts.box;
      ctx.lineWidth = 2.5 * unit;
      ctx.setLineDash([8 * unit, 5 * unit]);
      ctx.strokeStyle = '#ffffff';
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      ctx.setLineDash([]);
    }
    for (const point of prompts.points) {
      ctx.beginPath();
      ctx.arc(point.x, point.y, 7 * unit, 0, Math.PI * 2);
      ctx.fillStyle = point.label === 1 ? '#1a9641' : '#d7191c';
      ctx.fill();
      ctx.lineWidth = 2 * unit;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(point.x - 3.5 * unit, point.y);
      ctx.lineTo(point.x + 3.5 * unit, point.y);
      if (point.label === 1) {
        ctx.moveTo(point.x, point.y - 3.5 * unit);
        ctx.lineTo(point.x, point.y + 3.5 * unit);
      }
      ctx.stroke();
    }
    if (cursor) {
      ctx.strokeStyle = '#ffbf47';
      ctx.lineWidth = 2 * unit;
      ctx.beginPath();
      ctx.moveTo(cursor.x - 12 * unit, cursor.y);
      ctx.lineTo(cursor.x + 12 * unit, cursor.y);
      ctx.moveTo(cursor.x, cursor.y - 12 * unit);
      ctx.lineTo(cursor.x, cursor.y + 12 * unit);
      ctx.stroke();
      if (cursor.boxAnchor) {
        const { x, y } = cursor.boxAnchor;
        ctx.setLineDash([4 * unit, 4 * unit]);
        ctx.strokeRect(
          Math.min(x, cursor.x),
          Math.min(y, cursor.y),
          Math.abs(cursor.x - x),
          Math.abs(cursor.y - y),
        );
        ctx.setLineDash([]);
      }
    }
  }
}

function required<T extends Element>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`page is missing ${selector}`);
  return element;
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context');
  return ctx;
}
