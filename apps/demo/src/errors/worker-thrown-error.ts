import { TasamError } from '@tasam/errors';

/**
 * A tasam error of another package (sam-runtime's INVALID_PROMPT, text-encoder's TEXT_TOO_LONG, ...) thrown in
 * the model worker, rebuilt on the server's thread: the original's name, code, message and data fields, and its
 * stack. The HTTP layer answers it by its code, as it would have answered the original.
 */
export class WorkerThrownError extends TasamError<string> {
  constructor(name: string, code: string, message: string, fields: Record<string, unknown> = {}) {
    super(code, message);
    Object.assign(this, fields);
    this.name = name;
  }
}
