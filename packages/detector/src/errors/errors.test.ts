import { TasamError } from '@tasam/errors';
import {
  DetectorBackendError,
  DetectorDisposedError,
  DetectorInputError,
  DetectorModelChecksumError,
  DetectorModelLoadError,
  DetectorModelReadError,
  DetectorOptionsError,
} from './index';

describe('detector errors', () => {
  it('are TasamErrors with stable codes and their class names', () => {
    const errors: Array<[TasamError, string, string]> = [
      [
        new DetectorModelChecksumError('m/centernet.bin', 'aa', 'bb'),
        'DETECTOR_MODEL_CHECKSUM',
        'DetectorModelChecksumError',
      ],
      [new DetectorModelReadError('m/centernet.json'), 'DETECTOR_MODEL_READ', 'DetectorModelReadError'],
      [new DetectorModelLoadError('m', 'bad'), 'DETECTOR_MODEL_LOAD', 'DetectorModelLoadError'],
      [new DetectorBackendError('cpu'), 'DETECTOR_BACKEND', 'DetectorBackendError'],
      [new DetectorOptionsError('nmsIou', 2, 'a number'), 'DETECTOR_OPTIONS', 'DetectorOptionsError'],
      [new DetectorInputError(42, 'bad'), 'DETECTOR_INPUT', 'DetectorInputError'],
      [new DetectorDisposedError(), 'DETECTOR_DISPOSED', 'DetectorDisposedError'],
    ];
    for (const [error, code, name] of errors) {
      expect(TasamError.isInstance(error)).toBe(true);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
    }
  });

  it('name the file, the expected and the actual hash on a checksum mismatch', () => {
    const error = new DetectorModelChecksumError('m/centernet.bin', 'a'.repeat(64), 'b'.repeat(64));
    expect(error.message).toContain('m/centernet.bin');
    expect(error.message).toContain(`expected ${'a'.repeat(64)}`);
    expect(error.message).toContain(`SHA-256 is ${'b'.repeat(64)}`);
    expect([error.path, error.expected, error.actual]).toEqual([
      'm/centernet.bin',
      'a'.repeat(64),
      'b'.repeat(64),
    ]);
  });

  it('say why a file could not be read, and keep the cause', () => {
    const error = new DetectorModelReadError('m/centernet.json', {
      cause: new Error('ENOENT: no such file'),
    });
    expect(error.message).toBe('detector model file m/centernet.json: cannot read: ENOENT: no such file');
    expect((error.cause as Error).message).toBe('ENOENT: no such file');
  });

  it('name the option, its value and what was expected', () => {
    const error = new DetectorOptionsError('scoreThreshold', Number.NaN, 'a finite number from 0 to 1');
    expect(error.message).toBe(
      'detector option scoreThreshold: number NaN is invalid; expected a finite number from 0 to 1',
    );
    expect(error.option).toBe('scoreThreshold');
  });

  it('name the active backend when wasm cannot start', () => {
    expect(new DetectorBackendError('cpu').message).toContain('active backend: cpu');
    expect(new DetectorBackendError(undefined).message).toContain('active backend: none');
  });
});
