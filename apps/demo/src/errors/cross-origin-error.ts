import { TasamError } from '@tasam/errors';

/**
 * A request from a page of another origin: a CORS preflight (OPTIONS), or a request whose `Origin` is not one
 * of the names this demo serves. The demo shares nothing across origins, so both get 403 without any
 * `Access-Control-Allow-*` header.
 */
export class CrossOriginError extends TasamError<'DEMO_CROSS_ORIGIN'> {
  constructor(readonly origin: string | undefined) {
    super(
      'DEMO_CROSS_ORIGIN',
      `${origin === undefined ? 'CORS preflight' : `Origin ${JSON.stringify(origin.slice(0, 100))}`}: ` +
        'cross-origin requests are not allowed; use the page this demo serves',
    );
  }
}
