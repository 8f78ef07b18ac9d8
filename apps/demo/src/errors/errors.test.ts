import { TasamError } from '@tasam/errors';
import { toHttpError } from '../http-errors';
import { ClientGoneError } from './client-gone-error';
import { CrossOriginError } from './cross-origin-error';
import { DemoRequestError } from './demo-request-error';
import { HostNotAllowedError } from './host-not-allowed-error';
import { ImageNotFoundError } from './image-not-found-error';
import { ImageStoreFullError } from './image-store-full-error';
import { ImageTooLargeError } from './image-too-large-error';
import { ImageUnreadableError } from './image-unreadable-error';
import { InvalidSettingError } from './invalid-setting-error';
import { MethodNotAllowedError } from './method-not-allowed-error';
import { NotAnImageError } from './not-an-image-error';
import { ServerBusyError } from './server-busy-error';
import { TaskModeUnavailableError } from './task-mode-unavailable-error';
import { UploadTooLargeError } from './upload-too-large-error';
import { WebBuildMissingError } from './web-build-missing-error';

describe('demo errors', () => {
  it('DemoRequestError names the input and the problem under a stable code', () => {
    const error = new DemoRequestError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('DEMO_REQUEST');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('DemoRequestError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });

  it('each failure kind has its code, an explaining message and its HTTP status', () => {
    const cases: [TasamError, string, RegExp, number][] = [
      [
        new UploadTooLargeError('a.jpg', 20 * 1024 * 1024),
        'DEMO_UPLOAD_TOO_LARGE',
        /^a\.jpg: .*larger than 20 MB/,
        413,
      ],
      [
        new ImageTooLargeError('b.png', 5000, 4000, 16_777_216),
        'DEMO_IMAGE_TOO_LARGE',
        /5000x4000 is 20,000,000/,
        422,
      ],
      [
        new NotAnImageError('c.jpg', 'no image header'),
        'DEMO_NOT_AN_IMAGE',
        /^c\.jpg: no image header$/,
        415,
      ],
      [
        new ImageUnreadableError('d.jpg', 'jpeg', { cause: new Error('premature end\nmore') }),
        'DEMO_IMAGE_UNREADABLE',
        /^d\.jpg: the jpeg data does not decode: premature end$/,
        422,
      ],
      [new ImageNotFoundError('../x'), 'DEMO_IMAGE_NOT_FOUND', /^imageId "\.\.\/x": no such image/, 404],
      [
        new TaskModeUnavailableError('segment all cats', 'no checkpoint'),
        'DEMO_TASK_UNAVAILABLE',
        /task mode needs the hypernet checkpoint \(no checkpoint\)/,
        501,
      ],
      [new DemoRequestError('box', 'is empty'), 'DEMO_REQUEST', /^box: is empty$/, 400],
      [
        new HostNotAllowedError('evil.example', ['localhost:8787', '127.0.0.1:8787']),
        'DEMO_HOST_NOT_ALLOWED',
        /^Host "evil\.example": this demo serves only localhost:8787, 127\.0\.0\.1:8787; .*--allowed-host NAME/,
        421,
      ],
      [
        new CrossOriginError('https://evil.example'),
        'DEMO_CROSS_ORIGIN',
        /^Origin "https:\/\/evil\.example": cross-origin requests are not allowed/,
        403,
      ],
      [new CrossOriginError(undefined), 'DEMO_CROSS_ORIGIN', /^CORS preflight: cross-origin/, 403],
      [new ClientGoneError('upload a.jpg'), 'DEMO_CLIENT_GONE', /^upload a\.jpg: the client closed/, 499],
    ];
    for (const [error, code, message, status] of cases) {
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(toHttpError(error)).toEqual({
        status,
        body: { error: { code, message: error.message } },
        serverFault: false,
      });
    }
  });

  it('503s carry a Retry-After in whole seconds, 405 an Allow header', () => {
    const busy = new ServerBusyError({
      kind: 'prompt',
      pending: 40,
      expectedMs: 12_345,
      maxWaitMs: 10_000,
      retryAfterSeconds: 12,
    });
    expect(busy.message).toBe(
      'server busy: the model would answer this prompt request in ~12.3 s (40 requests queued), over the ' +
        '10.0 s bound; retry in 12 s',
    );
    expect(toHttpError(busy)).toMatchObject({ status: 503, headers: { 'retry-after': '12' } });
    const capped = new ServerBusyError({ ...busy.details, maxPending: 32 });
    expect(capped.message).toBe(
      'server busy: 40 requests are already queued for the model (at most 32); retry in 12 s',
    );
    const full = new ImageStoreFullError(24, 300);
    expect(full.message).toMatch(
      /image store is full: its 24 images are in use by live sessions; retry in 300 s/,
    );
    expect(toHttpError(full)).toMatchObject({
      status: 503,
      body: { error: { code: 'DEMO_STORE_FULL' } },
      headers: { 'retry-after': '300' },
    });
    expect(toHttpError(new MethodNotAllowedError('OPTIONS'))).toMatchObject({
      status: 405,
      headers: { allow: 'GET, HEAD, POST' },
    });
  });

  it('start-up errors say what to do', () => {
    expect(new InvalidSettingError('PORT', 'x', 'an integer').message).toBe('PORT="x": expected an integer');
    expect(new WebBuildMissingError('/srv/web').message).toMatch(/pnpm --filter @tasam\/demo build/);
  });

  it('hides the details of unexpected failures from clients', () => {
    expect(toHttpError(new Error('secret /home/path exploded'))).toEqual({
      status: 500,
      body: { error: { code: 'DEMO_INTERNAL', message: 'the server failed on this request; see its log' } },
      serverFault: true,
    });
    const framework = Object.assign(new Error('Body is not valid JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(toHttpError(framework).status).toBe(400);
    expect(toHttpError(framework).body.error.code).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
  });
});
