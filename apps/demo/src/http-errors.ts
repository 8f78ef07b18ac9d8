import { TasamError } from '@tasam/errors';

/** HTTP status of each demo error code; anything else a client caused keeps the framework's 4xx. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  DEMO_REQUEST: 400,
  DEMO_CROSS_ORIGIN: 403,
  DEMO_IMAGE_NOT_FOUND: 404,
  DEMO_METHOD_NOT_ALLOWED: 405,
  DEMO_UPLOAD_TOO_LARGE: 413,
  DEMO_NOT_AN_IMAGE: 415,
  DEMO_IMAGE_TOO_LARGE: 422,
  DEMO_IMAGE_UNREADABLE: 422,
  DEMO_HOST_NOT_ALLOWED: 421,
  // nginx's "client closed request": nobody reads it, the log does.
  DEMO_CLIENT_GONE: 499,
  // The model worker failed under this request (crash, failed restart, engine closed): a server fault, logged
  // as one, but its message (no server paths in it) tells the client what happened.
  DEMO_MODEL_WORKER: 500,
  DEMO_TASK_UNAVAILABLE: 501,
  DEMO_BUSY: 503,
  DEMO_STORE_FULL: 503,
  DEMO_MODEL_RESTARTING: 503,
};

export interface HttpErrorBody {
  error: { code: string; message: string };
}

export interface HttpError {
  status: number;
  body: HttpErrorBody;
  serverFault: boolean;
  /** `Retry-After` (seconds) for 503s, `Allow` for 405s; absent when there are none. */
  headers?: Record<string, string>;
}

/**
 * The status and JSON body for a failed request. Typed errors and the framework's own client errors (bad
 * JSON, wrong content type) say what was wrong (a typed 500, DEMO_MODEL_WORKER, is still a server fault);
 * anything else is a server fault whose details go to the log, not to the client.
 */
export function toHttpError(error: unknown): HttpError {
  if (TasamError.isInstance(error) && STATUS_BY_CODE[error.code] !== undefined) {
    const { retryAfterSeconds, allow } = error as { retryAfterSeconds?: unknown; allow?: unknown };
    const headers: Record<string, string> = {};
    if (
      typeof retryAfterSeconds === 'number' &&
      Number.isInteger(retryAfterSeconds) &&
      retryAfterSeconds > 0
    ) {
      headers['retry-after'] = String(retryAfterSeconds);
    }
    if (typeof allow === 'string') headers.allow = allow;
    return {
      status: STATUS_BY_CODE[error.code],
      body: { error: { code: error.code, message: error.message } },
      serverFault: STATUS_BY_CODE[error.code] === 500,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    };
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const code = (error as { code?: unknown }).code;
    return {
      status: statusCode,
      body: {
        error: {
          code: typeof code === 'string' ? code : 'DEMO_REQUEST',
          message: (error as Error).message,
        },
      },
      serverFault: false,
    };
  }
  return {
    status: 500,
    body: { error: { code: 'DEMO_INTERNAL', message: 'the server failed on this request; see its log' } },
    serverFault: true,
  };
}
