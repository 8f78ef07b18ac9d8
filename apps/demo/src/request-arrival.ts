import type { FastifyRequest } from 'fastify';

const arrivals = new WeakMap<object, number>();

/** Notes when a request arrived (an `onRequest` hook, on the queue's clock): its client's wait starts there. */
export function stampArrival(request: FastifyRequest, at: number): void {
  arrivals.set(request.raw, at);
}

/** When the request arrived, if stamped: its queue job's deadline counts from there, not from its queueing. */
export function arrivalOf(request: FastifyRequest): number | undefined {
  return arrivals.get(request.raw);
}
