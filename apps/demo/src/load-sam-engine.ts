import type { DetectorModelName } from '@tasam/detector';
import type { SamRuntimeOptions } from '@tasam/sam-runtime';
import { loadTaskLoras } from './hypernet-task-loras';
import { type AutomaticGrid, SamEngine } from './sam-engine';
import { loadGrounding } from './task-grounding';

/**
 * What to load for a SamEngine, as plain data (it can be posted to the model worker): the runtime's options,
 * the grid, and where task mode's checkpoint and detector are. `loadSamEngine` loads it.
 */
export interface SamEngineSetup {
  /** @tasam/sam-runtime's options, without `log` (a function: it cannot cross to a worker thread). */
  runtime?: Omit<SamRuntimeOptions, 'log'>;
  automatic?: AutomaticGrid;
  /** Task mode: false serves plain SAM only (tasks get 501). Default true: the checkpoint below, if it exists. */
  tasks?: boolean;
  /** Hypernetwork checkpoint; default: the one @tasam/hypernet ships. Missing: task mode off (501). */
  checkpoint?: string;
  /** The text encoder the checkpoint was trained with. Default `use-lite`. */
  textBackend?: 'use-lite' | 'minilm';
  /** The COCO detector's model directory for grounded task mode; default: @tasam/detector's bundled model. */
  detectorModelDir?: string;
  /** The detector's models; default: the shipped ensemble. */
  detectorModels?: DetectorModelName[];
}

export interface LoadedSamEngine {
  engine: SamEngine;
  /** One line each for the server's start-up log: task mode on or off, the detector loaded or why not. */
  notices: string[];
}

/**
 * Loads the models a setup names and builds the engine: the task LoRAs (hypernetwork and text encoder) when
 * the checkpoint exists, then the COCO detector and the task grounder on the LoRAs' own text encoder, then SAM.
 * Runs in the model worker (the default) or, with `--no-model-worker`, on the server's thread. A checkpoint
 * that exists but does not load is an error; a detector that does not load only turns grounding off.
 */
export async function loadSamEngine(setup: SamEngineSetup = {}): Promise<LoadedSamEngine> {
  const base = { ...(setup.runtime ? { runtime: setup.runtime } : {}), automatic: setup.automatic };
  if (setup.tasks === false) {
    const engine = await SamEngine.create({
      ...base,
      taskUnavailableReason: 'task mode is off on this server',
    });
    return { engine, notices: ['tasam demo: task mode off (plain SAM only)'] };
  }
  const tasks = await loadTaskLoras({ checkpoint: setup.checkpoint, textBackend: setup.textBackend });
  const grounding = tasks.encoder
    ? await loadGrounding({
        encoder: tasks.encoder,
        ...(setup.detectorModelDir ? { detectorModelDir: setup.detectorModelDir } : {}),
        ...(setup.detectorModels ? { detectorModels: setup.detectorModels } : {}),
      })
    : undefined;
  const engine = await SamEngine.create({
    ...base,
    taskLoras: tasks.generator,
    taskUnavailableReason: tasks.unavailableReason,
    grounding,
  });
  const notices = [
    tasks.generator
      ? `tasam demo: task mode on: ${tasks.id} (${tasks.checkpoint})`
      : `tasam demo: task mode off: no checkpoint at ${tasks.checkpoint}`,
  ];
  if (grounding) {
    notices.push(
      grounding.detector
        ? `tasam demo: tasks naming COCO categories use the detector: ${grounding.id}`
        : `tasam demo: grounded task mode off, every task uses the task scorer: ${grounding.unavailableReason}: ${
            grounding.error instanceof Error ? grounding.error.message : String(grounding.error)
          }`,
    );
  }
  return { engine, notices };
}
