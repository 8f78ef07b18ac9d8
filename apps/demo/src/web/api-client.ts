import type {
  ApiError,
  HealthResponse,
  SamplesResponse,
  SegmentBody,
  SegmentResponse,
  UploadResponse,
} from '../api-types';

/** A failed API call, carrying the server's error code and message (or a network failure's). */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/**
 * This tab's session id (random, kept in sessionStorage): the server keeps the images this tab uploads safe
 * from anonymous uploads (and from other sessions' quotas) while the tab uses them.
 */
function sessionId(): string {
  const key = 'tasam-session';
  try {
    const kept = sessionStorage.getItem(key);
    if (kept && /^[A-Za-z0-9_-]{16,64}$/.test(kept)) return kept;
  } catch {
    // storage disabled: a fresh id per page load
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  try {
    sessionStorage.setItem(key, id);
  } catch {
    // as above
  }
  return id;
}

let session: string | undefined;

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  session ??= sessionId();
  let response: Response;
  try {
    const headers = new Headers(init.headers);
    headers.set('x-tasam-session', session);
    response = await fetch(path, { ...init, headers });
  } catch (cause) {
    throw new ApiCallError(0, 'NETWORK', `the demo server did not answer (${(cause as Error).message})`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as ApiError | undefined)?.error;
    throw new ApiCallError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `${path}: HTTP ${response.status}`,
    );
  }
  return body as T;
}

export const api = {
  health: () => call<HealthResponse>('/api/health'),
  samples: () => call<SamplesResponse>('/api/samples'),
  upload(file: Blob, filename: string): Promise<UploadResponse> {
    const form = new FormData();
    form.append('image', file, filename);
    return call<UploadResponse>('/api/images', { method: 'POST', body: form });
  },
  segment(body: SegmentBody): Promise<SegmentResponse> {
    return call<SegmentResponse>('/api/segment', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  },
};
