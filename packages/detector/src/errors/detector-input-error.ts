import { describeValue, TasamError } from '@tasam/errors';

/** The image handed to `detect` is neither a path, encoded bytes nor a well-formed RgbImage. */
export class DetectorInputError extends TasamError<'DETECTOR_INPUT'> {
  constructor(
    readonly input: unknown,
    readonly problem: string,
  ) {
    super('DETECTOR_INPUT', `detector image ${describeValue(input)}: ${problem}`);
  }
}
