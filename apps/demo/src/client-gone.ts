import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientGoneError } from './errors/client-gone-error';

const controllers = new WeakMap<IncomingMessage, AbortController>();

/**
 * Starts watching a request's client (an `onRequest` hook): its signal aborts when the client ends or closes
 * the connection before the response was written. The end of the client's side counts: Node's HTTP server
 * answers it by ending the socket, so no response could reach the client anyway, and it is seen at once (the
 * socket's 'close' comes a turn of the event loop later, after a queued job may have started). (Fastify's
 * `request.signal` follows the request stream, which closes as soon as the body has been read, so it cannot
 * tell a client that left from one that waits.)
 */
export function watchClient(request: FastifyRequest, reply: FastifyReply): void {
  const controller = new AbortController();
  controllers.set(request.raw, controller);
  const socket = request.raw.socket;
  const onGone = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onGone);
  if (!socket) return;
  if (socket.destroyed || socket.readableEnded) {
    onGone();
    return;
  }
  // The socket outlives the request (keep-alive): the listener goes with the response.
  socket.once('end', onGone);
  reply.raw.once('close', () => socket.off('end', onGone));
}

/** Aborts when the request's client has gone (see watchClient); never aborts for an unwatched request. */
export function clientGoneSignal(request: FastifyRequest): AbortSignal {
  let controller = controllers.get(request.raw);
  if (!controller) {
    controller = new AbortController();
    controllers.set(request.raw, controller);
  }
  return controller.signal;
}

/** Waits for `promise`, but rejects with ClientGoneError as soon as `signal` aborts. */
export function unlessClientGone<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new ClientGoneError(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ClientGoneError(what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
