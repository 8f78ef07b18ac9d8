import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

/** Thrown by every network entry point while `forbidNetwork` is active. */
export class NetworkForbiddenError extends Error {
  constructor(readonly target: string) {
    super(`network access attempted during an offline test: ${target}`);
  }
}

const describeTarget = (args: unknown[]): string => {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first instanceof URL) return first.href;
  if (first && typeof first === 'object') {
    const o = first as { href?: string; url?: string; host?: string; hostname?: string; port?: number };
    return o.href ?? o.url ?? `${o.hostname ?? o.host ?? '?'}:${o.port ?? ''}`;
  }
  return String(first);
};

/**
 * Makes networking impossible in this process: global fetch, http(s) request/get, the http(s) global agents,
 * and raw net/tls connections all throw (and record what they were asked for). Returns the attempts list
 * and a function that restores everything.
 */
export function forbidNetwork(): { attempts: string[]; restore: () => void } {
  const attempts: string[] = [];
  const refuse = (kind: string) =>
    function refused(...args: unknown[]): never {
      const target = `${kind} ${describeTarget(args)}`;
      attempts.push(target);
      throw new NetworkForbiddenError(target);
    };
  const patches: Array<[object, string, unknown]> = [];
  const patch = (owner: object, key: string, value: unknown) => {
    patches.push([owner, key, (owner as Record<string, unknown>)[key]]);
    Object.defineProperty(owner, key, { value, configurable: true, writable: true });
  };
  class RefusingAgent extends http.Agent {
    override createConnection = refuse('agent') as unknown as http.Agent['createConnection'];
  }
  patch(globalThis, 'fetch', refuse('fetch'));
  for (const [name, module] of [
    ['http', http],
    ['https', https],
  ] as const) {
    patch(module, 'request', refuse(`${name}.request`));
    patch(module, 'get', refuse(`${name}.get`));
    patch(module, 'globalAgent', new RefusingAgent());
  }
  patch(net, 'connect', refuse('net.connect'));
  patch(net, 'createConnection', refuse('net.createConnection'));
  patch(tls, 'connect', refuse('tls.connect'));
  return {
    attempts,
    restore: () => {
      for (const [owner, key, value] of patches.reverse())
        Object.defineProperty(owner, key, { value, configurable: true, writable: true });
    },
  };
}
