import { TasamError } from '@tasam/errors';
import { toHttpError } from '../http-errors';
import { DemoRequestError } from './demo-request-error';
import { ImageNotFoundError } from './image-not-found-error';
import { ImageTooLargeError } from './image-too-large-error';
import { ImageUnreadableError } from './image-unreadable-error';
import { InvalidSettingError } from './invalid-setting-error';
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
      [new ServerBusyError(32), 'DEMO_BUSY', /32 requests are already queued/, 503],
      [new DemoRequestError('box', 'is empty'), 'DEMO_REQUEST', /^box: is empty$/, 400],
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
