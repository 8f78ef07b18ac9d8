import type { IncomingHttpHeaders } from 'node:http';
import { DemoRequestError } from './errors/demo-request-error';

/**
 * The header that names the page's session: a random id the page makes once per tab (sessionStorage). Images
 * uploaded with it count against that session's quota in the ImageStore, and anonymous uploads (no header)
 * never evict them while the session is live. It is no credential: image ids stay the only key to an image.
 */
export const SESSION_HEADER = 'x-tasam-session';

const SESSION_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** The session a request belongs to, or undefined (anonymous); a malformed header is a DemoRequestError. */
export function readSession(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[SESSION_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !SESSION_PATTERN.test(value)) {
    throw new DemoRequestError(
      SESSION_HEADER,
      'expected one header of 16 to 64 characters from A-Z a-z 0-9 _ - (the page makes one per tab)',
    );
  }
  return value;
}

/**
 * Whose share of the model's queue a request uses: its session, or (no header, or a malformed one) the share
 * of all anonymous requests. Never throws: the queue's fairness is no reason to refuse a request.
 */
export function queueOwnerOf(headers: IncomingHttpHeaders): string {
  const value = headers[SESSION_HEADER];
  return typeof value === 'string' && SESSION_PATTERN.test(value) ? `session:${value}` : 'anonymous';
}
