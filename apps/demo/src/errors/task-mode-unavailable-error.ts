import { TasamError } from '@tasam/errors';

/** A request names a task, but this server has no hypernetwork to turn task text into LoRA weights. */
export class TaskModeUnavailableError extends TasamError<'DEMO_TASK_UNAVAILABLE'> {
  constructor(
    readonly task: string,
    readonly reason: string,
  ) {
    super(
      'DEMO_TASK_UNAVAILABLE',
      `task ${JSON.stringify(task.slice(0, 80))}: task mode needs the hypernet checkpoint (${reason}); ` +
        'plain SAM (no task) still works',
    );
  }
}
