import { TasamError } from '@tasam/errors';

/** A model file's SHA-256 differs from the one this package was built and measured with. */
export class DetectorModelChecksumError extends TasamError<'DETECTOR_MODEL_CHECKSUM'> {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'DETECTOR_MODEL_CHECKSUM',
      `detector model file ${path}: SHA-256 is ${actual}, expected ${expected}; the file is corrupt or a ` +
        'different model (restore it from the package, or load with verify: false to run it anyway)',
    );
  }
}
