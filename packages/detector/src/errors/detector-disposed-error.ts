import { TasamError } from '@tasam/errors';

/** `detect` was called after `dispose()` released the model. */
export class DetectorDisposedError extends TasamError<'DETECTOR_DISPOSED'> {
  constructor() {
    super('DETECTOR_DISPOSED', 'detector: already disposed; load a new one with CocoDetector.load()');
  }
}
