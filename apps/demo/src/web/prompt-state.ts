export interface PromptPoint {
  /** Original-image pixels. */
  x: number;
  y: number;
  /** 1: object, 0: background. */
  label: 0 | 1;
}

export type PromptBox = [number, number, number, number];

interface Snapshot {
  points: PromptPoint[];
  box: PromptBox | null;
}

/** The user's points and box on the current image, with undo. */
export class PromptState {
  private points: PromptPoint[] = [];
  private box: PromptBox | null = null;
  private readonly history: Snapshot[] = [];

  get current(): Readonly<Snapshot> {
    return { points: this.points, box: this.box };
  }

  get isEmpty(): boolean {
    return this.points.length === 0 && this.box === null;
  }

  addPoint(point: PromptPoint): void {
    this.remember();
    this.points = [...this.points, point];
  }

  setBox(box: PromptBox): void {
    this.remember();
    this.box = box;
  }

  /** Returns false when there was nothing to undo. */
  undo(): boolean {
    const previous = this.history.pop();
    if (!previous) return false;
    this.points = previous.points;
    this.box = previous.box;
    return true;
  }

  clear(): void {
    if (this.isEmpty) return;
    this.remember();
    this.points = [];
    this.box = null;
  }

  /** Forget everything, history included (a new image). */
  reset(): void {
    this.points = [];
    this.box = null;
    this.history.length = 0;
  }

  private remember(): void {
    this.history.push({ points: this.points, box: this.box });
  }
}
