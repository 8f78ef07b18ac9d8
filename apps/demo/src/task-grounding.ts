import { CocoDetector, type DetectorModelName } from '@tasam/detector';
import { TasamError } from '@tasam/errors';
import type { DetectorLike, Grounding } from '@tasam/task-segmentation';
import { TaskGrounder } from '@tasam/task-segmentation';
import type { TextEncoder } from '@tasam/text-encoder';

/** What grounds task texts: `TaskGrounder` of @tasam/task-segmentation. */
export interface TaskGrounderLike {
  groundMany(tasks: string[]): Promise<Grounding[]>;
}

export interface GroundingSetup {
  /** The COCO detector (present when it loaded). */
  detector?: DetectorLike & { readonly id?: string };
  /** Task text → COCO categories and colour (present when it was built). */
  grounder?: TaskGrounderLike;
  /** Names the detector's model, for /api/health and logs. */
  id?: string;
  /** Why grounded task mode is off, when it is: shown by /api/health (no server paths in it). */
  unavailableReason?: string;
  /** The full error, for the server's log. */
  error?: unknown;
}

/**
 * Loads what grounded task mode needs: the COCO detector and a TaskGrounder on `encoder`, the text encoder
 * the task LoRAs already use (loaded once for both). Never throws: a detector that does not load (missing
 * files, a failed checksum, no wasm backend) leaves `detector` unset and says why in `unavailableReason`;
 * task mode then runs every task on the task scorer path.
 */
export async function loadGrounding(options: {
  encoder: TextEncoder;
  /** The detector's model directory (default: @tasam/detector's bundled model). */
  detectorModelDir?: string;
  /** The detector's models (default: @tasam/detector's shipped ensemble). */
  detectorModels?: DetectorModelName[];
}): Promise<GroundingSetup> {
  const detector = CocoDetector.load({
    ...(options.detectorModelDir ? { modelDir: options.detectorModelDir } : {}),
    ...(options.detectorModels ? { models: options.detectorModels } : {}),
  });
  // Keep a failed load from becoming an unhandled rejection while the grounder is built.
  detector.catch(() => undefined);
  let grounder: TaskGrounder;
  try {
    grounder = await TaskGrounder.create(options.encoder);
  } catch (error) {
    await detector.then((d) => d.dispose()).catch(() => undefined);
    return { unavailableReason: `the task grounder could not be built (${codeOf(error)})`, error };
  }
  try {
    const loaded = await detector;
    return { detector: loaded, grounder, id: loaded.id };
  } catch (error) {
    // Clients see the error's code; the message (which may name server paths) stays in the server's log.
    return { grounder, unavailableReason: `the COCO detector did not load (${codeOf(error)})`, error };
  }
}

function codeOf(error: unknown): string {
  return TasamError.isInstance(error) ? error.code : error instanceof Error ? error.name : 'unknown error';
}
