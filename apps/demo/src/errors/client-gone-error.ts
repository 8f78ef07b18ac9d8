import { TasamError } from '@tasam/errors';

/**
 * The client closed its connection before the answer was ready: its queued job was removed (it never ran), or
 * its running job's result was dropped. Nobody receives this error; it ends the request's handler and shows as
 * 499 in the log.
 */
export class ClientGoneError extends TasamError<'DEMO_CLIENT_GONE'> {
  constructor(readonly what: string) {
    super('DEMO_CLIENT_GONE', `${what}: the client closed the connection before the answer; work dropped`);
  }
}
