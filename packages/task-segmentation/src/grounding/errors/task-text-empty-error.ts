import { TasamError } from '@tasam/errors';

/** A task to ground has no text: it is not a string, empty, or only whitespace. */
export class TaskTextEmptyError extends TasamError<'TASK_TEXT_EMPTY'> {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super('TASK_TEXT_EMPTY', `${input}: ${problem}; grounding needs a task such as "segment all dogs"`);
  }
}
