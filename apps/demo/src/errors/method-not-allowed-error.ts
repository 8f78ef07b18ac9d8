import { TasamError } from '@tasam/errors';

/** A method the demo does not answer (OPTIONS without a CORS preflight): 405 with an `Allow` header. */
export class MethodNotAllowedError extends TasamError<'DEMO_METHOD_NOT_ALLOWED'> {
  readonly allow = 'GET, HEAD, POST';

  constructor(readonly method: string) {
    super('DEMO_METHOD_NOT_ALLOWED', `${method.slice(0, 20)}: not answered here; allowed: GET, HEAD, POST`);
  }
}
