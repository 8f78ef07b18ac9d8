import type { FastifyRequest } from 'fastify';
import { DemoRequestError } from './errors/demo-request-error';
import { UploadTooLargeError } from './errors/upload-too-large-error';

/** The multipart limits the upload route reads with: one part, and it must be the file. */
export function uploadLimits(maxUploadBytes: number) {
  // One field is let through (never used) so that a text part is seen and named, instead of busboy's bare
  // "fields limit" (413).
  return { fileSize: maxUploadBytes, files: 1, fields: 1, parts: 1, fieldSize: 1024, headerPairs: 50 };
}

/** The uploaded file's name (clipped; for messages only) and bytes. */
export interface UploadPart {
  filename: string;
  bytes: Buffer;
}

/**
 * Reads the one file of a `multipart/form-data` upload from the field `image`. Every way the body can be wrong
 * is a 4xx naming it: no part or a text part where the file should be (400), a file under another field name
 * (400), a malformed or truncated body (400), a file over the cap (413); a body that is not multipart keeps
 * the framework's 406.
 */
export async function readUploadPart(request: FastifyRequest, maxUploadBytes: number): Promise<UploadPart> {
  let filename = 'upload';
  try {
    const parts = request.parts();
    const first = await parts.next();
    if (first.done) {
      throw new DemoRequestError(
        'image',
        'no file part: send the image as a file in the multipart field "image"',
      );
    }
    const part = first.value;
    if (part.type !== 'file') {
      throw new DemoRequestError(
        'image',
        `no file part: the multipart body has a text field ${JSON.stringify(part.fieldname.slice(0, 40))}; ` +
          'send the image as a file in the field "image"',
      );
    }
    if (part.fieldname !== 'image') {
      throw new DemoRequestError(part.fieldname.slice(0, 40), 'unexpected field; send the file as "image"');
    }
    filename = (part.filename || 'upload').slice(0, 80);
    return { filename, bytes: await part.toBuffer() };
  } catch (error) {
    throw classifyMultipartError(error, filename, maxUploadBytes);
  }
}

/** Our own errors pass; the parser's become typed 4xx errors (a server fault stays one). */
function classifyMultipartError(error: unknown, filename: string, maxUploadBytes: number): unknown {
  const { code, statusCode, message } = (error ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  // Streamed without a Content-Length: the multipart parser stops at the cap.
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new UploadTooLargeError(filename, maxUploadBytes);
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new DemoRequestError('body', 'expected exactly one part: the file, in the field "image"', {
      cause: error,
    });
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return error;
  if (typeof code === 'string' && code.startsWith('DEMO_')) return error;
  // busboy's parse errors carry no status: "Unexpected end of form", "Malformed part header", a missing
  // boundary, a truncated body.
  if (error instanceof Error && typeof code !== 'string') {
    return new DemoRequestError(
      'body',
      `not a well-formed multipart/form-data body (${String(message).split('\n')[0].slice(0, 120)})`,
      { cause: error },
    );
  }
  return error;
}
