import { describeValue, TasamError } from '@tasam/errors';

/** An option passed to `CocoDetector.load` or `detect` is of the wrong type or out of range. */
export class DetectorOptionsError extends TasamError<'DETECTOR_OPTIONS'> {
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(
      'DETECTOR_OPTIONS',
      `detector option ${option}: ${describeValue(value)} is invalid; expected ${expected}`,
    );
  }
}
