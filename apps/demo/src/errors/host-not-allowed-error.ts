import { TasamError } from '@tasam/errors';

/**
 * The request's Host header names a server this demo is not (DNS rebinding: a page on evil.example whose name
 * now resolves to 127.0.0.1 would otherwise read the demo's answers). 421 Misdirected Request.
 */
export class HostNotAllowedError extends TasamError<'DEMO_HOST_NOT_ALLOWED'> {
  constructor(
    readonly host: string | undefined,
    readonly allowed: readonly string[],
  ) {
    super(
      'DEMO_HOST_NOT_ALLOWED',
      `${host === undefined ? 'no Host header' : `Host ${JSON.stringify(host.slice(0, 100))}`}: this demo ` +
        `serves only ${allowed.join(', ')}; to serve another name, start it with --allowed-host NAME`,
    );
  }
}
