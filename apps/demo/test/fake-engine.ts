import type { EngineSegmentation, SegmentationEngine } from '../src/segmentation-engine';
import type { RgbPixels } from '../src/uploaded-image';

/**
 * A stand-in for the SAM engine: answers at once (or when the test lets it), counts its calls, and returns an
 * empty mask list. For tests of the HTTP layer (admission, cancellation, hosts, body parsers), where the model's
 * answers do not matter and its speed must not.
 */
export class FakeEngine implements SegmentationEngine<string> {
  readonly model = 'fake@0';
  readonly taskMode: { available: boolean; reason?: string };
  embedCalls = 0;
  segmentCalls = 0;
  /** While set, every call waits for this promise: the test holds the model busy. */
  hold?: Promise<void>;
  private release?: () => void;

  /** `tasks`: claim task mode (tasks answer like plain requests) instead of answering them with 501. */
  constructor(options: { tasks?: boolean } = {}) {
    this.taskMode = options.tasks ? { available: true } : { available: false, reason: 'fake engine' };
  }

  /** Holds the model until `unblock()`. */
  block(): void {
    this.hold = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  unblock(): void {
    this.release?.();
    this.hold = undefined;
  }

  async embed(image: RgbPixels): Promise<string> {
    this.embedCalls++;
    await this.hold;
    return `embedding ${image.width}x${image.height}`;
  }

  async segment(): Promise<EngineSegmentation> {
    this.segmentCalls++;
    await this.hold;
    return { sam: { instances: [] }, trunkMs: 0 };
  }
}
