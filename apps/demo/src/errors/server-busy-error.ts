import { TasamError } from '@tasam/errors';

/** Too many requests are already waiting for the shared SAM sessions; the client should retry later. */
export class ServerBusyError extends TasamError<'DEMO_BUSY'> {
  constructor(readonly waiting: number) {
    super('DEMO_BUSY', `server busy: ${waiting} requests are already queued for the model; retry shortly`);
  }
}
