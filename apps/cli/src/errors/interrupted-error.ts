import { TasamError } from '@tasam/errors';

/** The user (Ctrl-C) or a scheduler (SIGTERM) asked the command to stop; it stopped between two steps. */
export class InterruptedError extends TasamError<'INTERRUPTED'> {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly exitCode: number,
    readonly stoppedAt?: string,
  ) {
    super('INTERRUPTED', `interrupted by ${signal}${stoppedAt ? `; stopped ${stoppedAt}` : ''}`);
  }
}
