import { TasamError } from '@tasam/errors';

/** The upload is not a raster image the demo accepts (checked by decoding the bytes, never by its name). */
export class NotAnImageError extends TasamError<'DEMO_NOT_AN_IMAGE'> {
  constructor(
    readonly filename: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('DEMO_NOT_AN_IMAGE', `${filename}: ${problem}`, options);
  }
}
