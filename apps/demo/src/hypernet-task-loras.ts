import { existsSync } from 'node:fs';
import { defaultCheckpointPath, TaskLoraGenerator } from '@tasam/hypernet';
import { createTextEncoder, type TextEncoder } from '@tasam/text-encoder';

export interface TaskLoraSetup {
  /** Present when a checkpoint was found and loaded. */
  generator?: TaskLoraGenerator;
  /**
   * The text encoder the generator was loaded with (present with `generator`): the task grounder embeds with
   * this same instance, so the model is loaded once.
   */
  encoder?: TextEncoder;
  /** Names the checkpoint and its text encoder, for logs. */
  id?: string;
  /** Why task mode is off, when it is. */
  unavailableReason?: string;
  /** The checkpoint path that was looked for. */
  checkpoint: string;
}

/**
 * Task text → LoRA through the hypernetwork checkpoint and the text encoder it was trained with. A missing
 * checkpoint turns task mode off (the server answers tasks with 501 and still serves plain SAM); a checkpoint
 * that exists but does not load, or was trained with another text encoder, is an error at start-up.
 */
export async function loadTaskLoras(
  options: { checkpoint?: string; textBackend?: 'use-lite' | 'minilm' } = {},
): Promise<TaskLoraSetup> {
  const checkpoint = options.checkpoint ?? defaultCheckpointPath();
  if (!existsSync(checkpoint)) {
    return {
      // Clients see this reason; the path stays in the server's log.
      unavailableReason:
        'no hypernet checkpoint was found; train one with `tasam train` and set TASAM_DEMO_CHECKPOINT',
      checkpoint,
    };
  }
  const encoder = await createTextEncoder({ backend: options.textBackend ?? 'use-lite' });
  const generator = await TaskLoraGenerator.load({ checkpoint, encoder });
  return {
    checkpoint,
    generator,
    encoder,
    id: `hypernet ${generator.checkpointId} + ${encoder.id}`,
  };
}
