// The part of autocannon 9's API the load script uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Called before each request (per connection, in order): returns the request to send. */
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
      /** Called with each response, just before the instance's 'response' event for it. */
      onResponse?: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers: Record<string, string>,
      ) => void;
    }

    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      /** Seconds before a request counts as timed out (its connection is then closed). */
      timeout?: number;
      requests?: Request[];
      headers?: Record<string, string>;
    }

    interface Result {
      requests: { total: number; average: number };
      errors: number;
      timeouts: number;
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
      duration: number;
    }

    interface Instance extends EventEmitter {
      stop(): void;
    }
  }

  export = autocannon;
}
