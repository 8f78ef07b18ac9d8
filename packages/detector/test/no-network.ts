import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

/**
 * Makes networking impossible in this process while the detector loads and runs: global fetch, http(s)
 * request/get and raw net/tls connections throw and are recorded. Returns the attempts and a restore function.
 */
export function forbidNetwork(): { attempts: string[]; restore: () => void } {
  const attempts: string[] = [];
  const patches: Array<[object, string, unknown]> = [];
  const refuse = (kind: string) =>
    function refused(...args: unknown[]): never {
      attempts.push(`${kind} ${String(args[0])}`);
      throw new Error(`network access attempted during an offline test: ${kind}`);
    };
  const patch = (owner: object, key: string, value: unknown) => {
    patches.push([owner, key, (owner as Record<string, unknown>)[key]]);
    Object.defineProperty(owner, key, { value, configurable: true, writable: true });
  };
  patch(globalThis, 'fetch', refuse('fetch'));
  for (const [name, module] of [
    ['http', http],
    ['https', https],
  ] as const) {
    patch(module, 'request', refuse(`${name}.request`));
    patch(module, 'get', refuse(`${name}.get`));
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
